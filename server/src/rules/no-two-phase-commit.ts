import { defineRule } from '../core/rule';

const COMMANDS: Record<string, string> = {
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

export default defineRule({
  id: 'no-two-phase-commit',
  severity: 'warning',
  languages: ['sql'],
  // Each statement alone (its transaction's kind and isolation at most): re-run only where an edit changed it.
  reads: 'statement',
  skill: { name: 'sistemas-distribuidos', section: 'Padrão saga; Anti-Padrões a Evitar (transações distribuídas, 2PC)' },
  text: {
    en: {
      message:
        '{command} is a step of a two-phase commit. Until a coordinator finishes it, a prepared transaction keeps its row locks, even across restarts, and if the coordinator fails between the phases nobody does; coordinate services with a saga (local transactions with compensations) instead.',
      summary: 'Two-phase commit (PREPARE TRANSACTION / COMMIT PREPARED) blocks when its coordinator fails; use sagas.',
      rationale:
        'In a two-phase commit each participant first prepares (PREPARE TRANSACTION writes the transaction to disk and keeps all its locks), then waits for the coordinator to say COMMIT PREPARED or ROLLBACK PREPARED. If the coordinator crashes, times out or loses the network between the two phases, the prepared transaction stays in doubt: it survives restarts, keeps blocking every writer of the rows it touched, and holds back VACUUM, until someone resolves it by hand. The availability of every participant then depends on the coordinator, the opposite of what splitting a system into services was meant to give.',
      remedy:
        'Model the business operation as a saga: a sequence of local transactions, each committed on its own, where every step that can be undone has a compensating step (cancel the order, release the stock, refund the payment) run in reverse order when a later step fails. Publish the steps through a transactional outbox so that a commit and its message never diverge, and make every step idempotent so that retries are safe.',
    },
    'pt-BR': {
      message:
        '{command} é uma etapa de um two-phase commit. Até um coordenador concluí-la, a transação preparada mantém seus locks de linha, mesmo após reinícios, e se o coordenador falhar entre as fases ninguém a conclui; coordene os serviços com uma saga (transações locais com compensações).',
      summary: 'Two-phase commit (PREPARE TRANSACTION / COMMIT PREPARED) trava quando o coordenador falha; use sagas.',
      rationale:
        'Num two-phase commit cada participante primeiro se prepara (PREPARE TRANSACTION grava a transação em disco e mantém todos os seus locks) e depois espera o coordenador mandar COMMIT PREPARED ou ROLLBACK PREPARED. Se o coordenador cai, estoura o timeout ou perde a rede entre as duas fases, a transação preparada fica em dúvida: sobrevive a reinícios, continua bloqueando todo escritor das linhas que tocou e segura o VACUUM, até alguém resolvê-la na mão. A disponibilidade de cada participante passa a depender do coordenador, o contrário do que separar o sistema em serviços deveria trazer.',
      remedy:
        'Modele a operação de negócio como uma saga: uma sequência de transações locais, cada uma commitada por conta própria, em que toda etapa que pode ser desfeita tem uma etapa compensatória (cancelar o pedido, liberar o estoque, estornar o pagamento), executada em ordem inversa quando uma etapa posterior falha. Publique as etapas por um outbox transacional, para que um commit e sua mensagem nunca divirjam, e torne cada etapa idempotente, para que retries sejam seguros.',
    },
  },
  examples: {
    invalid: [
      { code: "begin;\nupdate public.wallets set credits = credits - 5 where owner_id = 9;\nprepare transaction 'transfer-42';" },
      { code: "commit prepared 'transfer-42';" },
    ],
    valid: [
      'prepare wallet_by_owner (bigint) as select * from public.wallets where owner_id = $1;',
      'select gid, prepared from pg_prepared_xacts;',
      'begin;\nupdate public.wallets set credits = credits - 5 where owner_id = 9;\ncommit;',
    ],
  },
  check(context) {
    for (const statement of context.sql.statements) {
      const transaction = statement.bodyOf('TransactionStmt');
      if (!transaction) continue;
      const command = COMMANDS[transaction.kind ?? ''];
      if (command) context.report({ start: statement.start, end: statement.end, data: { command } });
    }
  },
});
