import { defineRule } from '../core/rule';

// Produced by lint.ts when an armadilha-ignore comment silences nothing.
export default defineRule({
  id: 'unused-suppression',
  severity: 'hint',
  languages: ['sql', 'ts'],
  builtIn: true,
  skill: { name: '(core)', section: 'Suppression comments' },
  text: {
    en: {
      message: 'This armadilha-ignore comment for {rule} suppresses nothing.',
      summary: 'A suppression comment no longer matches any finding.',
      rationale:
        'Suppressions outlive the code they were written for. A stale one hides nothing today, but it would hide a real finding if the statement below it changed.',
      remedy: 'Remove the rule id from the comment, or the whole comment.',
    },
    'pt-BR': {
      message: 'Este comentário armadilha-ignore para {rule} não suprime nada.',
      summary: 'Um comentário de supressão não corresponde mais a nenhum achado.',
      rationale:
        'Supressões sobrevivem ao código para o qual foram escritas. Uma supressão velha não esconde nada hoje, mas esconderia um achado real se a instrução abaixo dela mudasse.',
      remedy: 'Remova o id da regra do comentário, ou o comentário inteiro.',
    },
  },
  examples: {
    invalid: [{ code: "-- armadilha-ignore require-on-conflict -- not needed any more\ninsert into users (email) values ('a@b.c');" }],
    valid: ['-- armadilha-ignore require-on-conflict -- legacy import, deduplicated downstream\ninsert into payments (id) values (1);'],
  },
});
