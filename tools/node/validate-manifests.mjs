// Validates the objects of a Kubernetes YAML stream (the output of `helm template`) against their schemas from the
// npm packages kubernetes-models (the core API), @kubernetes-models/keda and @kubernetes-models/prometheus-operator.
// Usage: helm template ... | node tools/node/validate-manifests.mjs   (or: node validate-manifests.mjs file.yaml)
// Prints one line per object ("ok Kind/name") and exits non-zero at the first object of an unknown kind or one that
// does not validate, naming it and the schema error.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// apiVersion group -> the package module that holds its classes
const packages = {
  "keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

async function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = packages[group]
    ? `${packages[group]}/${group}/${version}`
    : group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  let exports;
  try {
    exports = await import(module);
  } catch {
    return null;
  }
  return exports[kind] ?? null;
}

const text = readFileSync(process.argv[2] ?? 0, "utf8");
let count = 0;
for (const document of parseAllDocuments(text)) {
  if (document.errors.length) {
    console.error(`error: YAML: ${document.errors[0].message}`);
    process.exit(1);
  }
  const object = document.toJS();
  if (object == null) {
    continue; // an empty document (a template that rendered nothing)
  }
  const name = `${object.kind}/${object.metadata?.name}`;
  const Model = await modelClass(object.apiVersion ?? "", object.kind ?? "");
  if (!Model) {
    console.error(`error: ${name}: no schema for ${object.apiVersion} ${object.kind}`);
    process.exit(1);
  }
  try {
    new Model(object).validate();
  } catch (error) {
    console.error(`error: ${name}: ${error.message}`);
    process.exit(1);
  }
  console.log(`ok ${name}`);
  count++;
}
if (count === 0) {
  console.error("error: no objects in the input");
  process.exit(1);
}
