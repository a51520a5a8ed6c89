// The real camunda-external-task-client-js, with the engine URL and Basic credentials of the
// test server (ENGINE_URL, ENGINE_USER, ENGINE_PASSWORD) put into every Client's configuration.
import * as real from "camunda-external-task-client-js";

export * from "camunda-external-task-client-js";

export class Client extends real.Client {
  constructor(config = {}) {
    const credentials = new real.BasicAuthInterceptor({
      username: process.env.ENGINE_USER,
      password: process.env.ENGINE_PASSWORD,
    });
    const given = config.interceptors ?? [];
    const interceptors = [...(Array.isArray(given) ? given : [given]), credentials];
    super({ ...config, baseUrl: process.env.ENGINE_URL, interceptors });
  }
}
