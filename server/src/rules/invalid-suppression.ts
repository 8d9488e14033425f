import { defineRule } from '../core/rule';

// Produced by lint.ts when an armadilha-ignore comment names a rule that does not exist.
export default defineRule({
  id: 'invalid-suppression',
  severity: 'hint',
  languages: ['sql', 'ts'],
  builtIn: true,
  skill: { name: '(core)', section: 'Suppression comments' },
  text: {
    en: {
      message: 'Unknown rule "{rule}" in armadilha-ignore; it suppresses nothing.',
      summary: 'A suppression comment names a rule that does not exist.',
      rationale:
        'A misspelled id in a suppression comment silently suppresses nothing, so the finding it was meant to silence keeps showing, or a later rename leaves stale comments behind.',
      remedy: 'Use an id from "armadilha rules", or remove the comment.',
    },
    'pt-BR': {
      message: 'Regra desconhecida "{rule}" em armadilha-ignore; ela não suprime nada.',
      summary: 'Um comentário de supressão cita uma regra que não existe.',
      rationale:
        'Um id digitado errado num comentário de supressão não suprime nada em silêncio, então o achado que ele deveria calar continua aparecendo, ou uma renomeação deixa comentários velhos para trás.',
      remedy: 'Use um id de "armadilha rules" ou remova o comentário.',
    },
  },
  examples: {
    invalid: [{ code: '-- armadilha-ignore no-such-rule -- typo\nselect 1;' }],
    valid: ['-- armadilha-ignore require-on-conflict -- legacy import, deduplicated downstream\ninsert into payments (id) values (1);'],
  },
});
