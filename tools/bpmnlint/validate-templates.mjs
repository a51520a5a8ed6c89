// Validate Camunda Modeler element templates (Camunda 7) with @bpmn-io/element-templates-validator.
// Usage: node validate-templates.mjs <file.json>...; exits 1 and prints every error if one is invalid.
import { readFileSync } from "node:fs";
import { validateAll } from "@bpmn-io/element-templates-validator";

let failed = false;
for (const file of process.argv.slice(2)) {
  const templates = JSON.parse(readFileSync(file, "utf-8"));
  const { valid, results } = validateAll(templates);
  for (const [index, result] of results.entries()) {
    for (const error of result.errors || []) {
      console.error(`${file} [${index}] ${templates[index]?.id}: ${error.dataPath || "/"} ${error.message}`);
    }
  }
  console.log(`${file}: ${templates.length} templates, ${valid ? "valid" : "INVALID"}`);
  failed ||= !valid;
}
process.exit(failed ? 1 : 0);
