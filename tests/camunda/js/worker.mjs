// Works COUNT external tasks on TOPIC with the real camunda-external-task-client-js, then exits.
// MODE: complete | failure | bpmnError | lockops (extendLock + unlock, then complete on refetch).
// Prints one JSON line per handled task; exits 0 when done, 2 on the hard timeout, 3 on an error.
import { BasicAuthInterceptor, Client, Variables } from "camunda-external-task-client-js";

const env = process.env;
const mode = env.MODE ?? "complete";
const wanted = Number(env.COUNT ?? "1");
const hardStop = setTimeout(() => {
  console.error("hard timeout");
  process.exit(2);
}, Number(env.TIMEOUT_MS ?? "30000"));

const interceptors = env.USERNAME
  ? new BasicAuthInterceptor({ username: env.USERNAME, password: env.PASSWORD })
  : env.BEARER
    ? (config) => ({ ...config, headers: { ...config.headers, Authorization: `Bearer ${env.BEARER}` } })
    : undefined;

const client = new Client({
  baseUrl: env.ENGINE_URL,
  workerId: "js-worker-1",
  maxTasks: 1,
  asyncResponseTimeout: 5000,
  lockDuration: 60000,
  autoPoll: false,
  interceptors,
});

function fail(what, error) {
  console.error(what, error?.message ?? error);
  process.exit(3);
}
client.on("poll:error", (e) => fail("poll:error", e));
for (const event of ["complete", "handleFailure", "handleBpmnError", "extendLock", "unlock"]) {
  client.on(`${event}:error`, (_task, e) => fail(`${event}:error`, e));
}

let handled = 0;
const unlocked = new Set();

async function handle({ task, taskService }) {
  const vars = task.variables.getAll();
  if (mode === "complete" || (mode === "lockops" && unlocked.has(task.id))) {
    const result = new Variables().setAll({
      screeningResult: "afdækning",
      riskScore: 3,
      bigNumber: 4000000000,
      ratio: 0.75,
      decidedAt: new Date("2024-03-01T10:00:00.000Z"),
      details: { reason: "x", list: [1, 2] },
      cleared: null,
    });
    await taskService.complete(task, result, new Variables().set("localNote", "only here"));
  } else if (mode === "failure") {
    await taskService.handleFailure(task, {
      errorMessage: "CPR lookup failed",
      errorDetails: "stack...",
      retries: 0,
      retryTimeout: 1000,
    });
  } else if (mode === "bpmnError") {
    await taskService.handleBpmnError(task, "NO_CONSENT", "Parent refused", new Variables().set("why", "refused"));
  } else if (mode === "lockops") {
    await taskService.extendLock(task, 30000);
    await taskService.unlock(task);
    unlocked.add(task.id);
    console.log(JSON.stringify({ id: task.id, mode: "unlocked" }));
    return;
  }
  console.log(JSON.stringify({ id: task.id, mode, topic: task.topicName, businessKey: task.businessKey, vars }));
  handled += 1;
  if (handled >= wanted) {
    client.stop();
    clearTimeout(hardStop);
    setTimeout(() => process.exit(0), 50);
  }
}

client.subscribe(env.TOPIC, (args) => handle(args).catch((e) => fail("handler", e)));
client.start();
