// Validates the manifests under k8s/ against the Kubernetes and Knative Serving schemas bundled in the npm packages
// kubernetes-models (core/apps, generated from the Kubernetes OpenAPI spec) and @kubernetes-models/knative
// (generated from knative.dev/serving's API types), then checks the rules Knative's admission webhook and this
// project add on top, which the schemas cannot express. Usage: node validate.mjs <file.yaml>...
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { ConfigMap, PersistentVolumeClaim, Service as CoreService } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { Service as KnativeService } from "@kubernetes-models/knative/serving.knative.dev/v1";

const MODELS = {
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "v1/ConfigMap": ConfigMap,
  "batch/v1/Job": Job,
  "v1/Service": CoreService,
  "apps/v1/Deployment": Deployment,
  "serving.knative.dev/v1/Service": KnativeService,
};

// Per-revision annotations Knative Serving documents; anything else under these prefixes is a typo that Knative
// would silently ignore.
const KNATIVE_ANNOTATIONS = new Set([
  "autoscaling.knative.dev/class", "autoscaling.knative.dev/metric", "autoscaling.knative.dev/target",
  "autoscaling.knative.dev/target-utilization-percentage", "autoscaling.knative.dev/target-burst-capacity",
  "autoscaling.knative.dev/min-scale", "autoscaling.knative.dev/max-scale", "autoscaling.knative.dev/initial-scale",
  "autoscaling.knative.dev/activation-scale", "autoscaling.knative.dev/scale-down-delay",
  "autoscaling.knative.dev/window", "autoscaling.knative.dev/panic-window-percentage",
  "autoscaling.knative.dev/panic-threshold-percentage", "autoscaling.knative.dev/scale-to-zero-pod-retention-period",
  "serving.knative.dev/progress-deadline", "serving.knative.dev/rollout-duration",
]);

const HEALTH_PATHS = { startupProbe: "/q/health/started", readinessProbe: "/q/health/ready", livenessProbe: "/q/health/live" };

function seconds(text) {
  const match = /^(\d+)(s|m|h)?$/.exec(String(text));
  if (!match) return NaN;
  return Number(match[1]) * { s: 1, m: 60, h: 3600, undefined: 1 }[match[2]];
}

function checkContainerProbes(where, container, problems, { knative }) {
  for (const [probe, path] of Object.entries(HEALTH_PATHS)) {
    const spec = container[probe];
    if (!spec) { problems.push(`${where}: no ${probe}`); continue; }
    if (spec.httpGet?.path !== path) problems.push(`${where}: ${probe} must GET ${path}, found ${spec.httpGet?.path}`);
    const port = spec.httpGet?.port;
    if (knative && port !== undefined && port !== container.ports?.[0]?.containerPort) {
      problems.push(`${where}: Knative only probes the serving port; ${probe}.httpGet.port must be ${container.ports?.[0]?.containerPort}`);
    }
    if (!knative && port === undefined) problems.push(`${where}: ${probe}.httpGet.port is required outside Knative`);
  }
}

function checkKnative(where, service, problems, features) {
  const template = service.spec?.template ?? {};
  const annotations = template.metadata?.annotations ?? {};
  for (const key of Object.keys(annotations)) {
    if (/^(autoscaling|serving)\.knative\.dev\//.test(key) && !KNATIVE_ANNOTATIONS.has(key)) {
      problems.push(`${where}: unknown Knative annotation ${key}`);
    }
  }
  const num = (key) => (annotations[key] === undefined ? undefined : Number(annotations[key]));
  for (const key of ["autoscaling.knative.dev/target", "autoscaling.knative.dev/min-scale", "autoscaling.knative.dev/max-scale"]) {
    if (annotations[key] !== undefined && !Number.isFinite(num(key))) problems.push(`${where}: ${key} is not a number`);
  }
  const spec = template.spec ?? {};
  const cc = spec.containerConcurrency;
  if (cc !== undefined && (cc < 0 || cc > 1000)) problems.push(`${where}: containerConcurrency must be 0..1000`);
  const target = num("autoscaling.knative.dev/target");
  if (cc && target !== undefined && target > cc) problems.push(`${where}: target ${target} > containerConcurrency ${cc}`);
  const min = num("autoscaling.knative.dev/min-scale") ?? 0, max = num("autoscaling.knative.dev/max-scale");
  if (max !== undefined && max !== 0 && min > max) problems.push(`${where}: min-scale > max-scale`);
  if (spec.timeoutSeconds !== undefined && spec.timeoutSeconds > 600) {
    problems.push(`${where}: timeoutSeconds above Knative's default max-revision-timeout-seconds (600)`);
  }
  const containers = spec.containers ?? [];
  if (containers.length !== 1) problems.push(`${where}: expected exactly one container`);
  for (const container of containers) {
    if ((container.ports ?? []).length > 1) problems.push(`${where}: Knative allows one container port`);
    checkContainerProbes(`${where} container ${container.name}`, container, problems, { knative: true });
    const startup = container.startupProbe;
    const deadline = seconds(annotations["serving.knative.dev/progress-deadline"] ?? "600s");
    if (startup) {
      const worst = (startup.initialDelaySeconds ?? 0) + (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3);
      if (!(deadline > worst)) problems.push(`${where}: progress-deadline ${deadline}s must exceed the startup probe's ${worst}s`);
    }
  }
  if (spec.nodeSelector) features.add("kubernetes.podspec-nodeselector");
  if (spec.tolerations) features.add("kubernetes.podspec-tolerations");
  if (spec.affinity) features.add("kubernetes.podspec-affinity");
  if (spec.initContainers) features.add("kubernetes.podspec-init-containers");
  if ((spec.volumes ?? []).some((v) => v.persistentVolumeClaim)) {
    features.add("kubernetes.podspec-persistent-volume-claim");
    if (containers.some((c) => (c.volumeMounts ?? []).some((m) => !m.readOnly))) {
      features.add("kubernetes.podspec-persistent-volume-write");
    }
  }
}

function podSpecOf(doc) {
  if (doc.kind === "Deployment" || doc.kind === "Job") return doc.spec?.template?.spec;
  if (doc.apiVersion === "serving.knative.dev/v1") return doc.spec?.template?.spec;
  return undefined;
}

const files = process.argv.slice(2);
const problems = [];
const features = new Set();
const docs = [];
for (const file of files) {
  let loaded;
  try {
    loaded = yaml.loadAll(readFileSync(file, "utf8")).filter((d) => d);
  } catch (e) {
    problems.push(`${file}: not valid YAML: ${e.message}`);
    continue;
  }
  for (const doc of loaded) {
    const where = `${file} ${doc.kind}/${doc.metadata?.name}`;
    const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    if (!Model) { problems.push(`${where}: no schema for ${doc.apiVersion} ${doc.kind}`); continue; }
    try {
      new Model(doc).validate();
    } catch (e) {
      problems.push(`${where}: schema: ${e.message}`);
    }
    if (doc.apiVersion === "serving.knative.dev/v1") checkKnative(where, doc, problems, features);
    if (doc.kind === "Deployment") {
      for (const c of doc.spec?.template?.spec?.containers ?? []) checkContainerProbes(`${where} container ${c.name}`, c, problems, { knative: false });
    }
    if (doc.kind === "Job" && doc.spec?.podFailurePolicy && doc.spec?.template?.spec?.restartPolicy !== "Never") {
      problems.push(`${where}: podFailurePolicy needs restartPolicy Never`);
    }
    docs.push({ file, where, doc });
  }
}

// Cross-references within one directory: claims exist, Services select a Deployment and name its port.
const byDir = new Map();
for (const entry of docs) {
  const dir = entry.file.replace(/\/[^/]*$/, "");
  if (!byDir.has(dir)) byDir.set(dir, []);
  byDir.get(dir).push(entry);
}
const claims = new Set(docs.filter((d) => d.doc.kind === "PersistentVolumeClaim").map((d) => d.doc.metadata.name));
for (const { where, doc } of docs) {
  for (const volume of podSpecOf(doc)?.volumes ?? []) {
    const claim = volume.persistentVolumeClaim?.claimName;
    if (claim && !claims.has(claim)) problems.push(`${where}: volume ${volume.name} claims ${claim}, which no manifest defines`);
  }
}
// The engine directory must be on a claimed volume in every container that names it (service, Job, init
// container): a plan built into the container's own file system or an emptyDir is gone with the pod, and the
// Service would then build its engine on the request path.
const configMaps = new Map(docs.filter((d) => d.doc.kind === "ConfigMap").map((d) => [d.doc.metadata.name, d.doc.data ?? {}]));
for (const { where, doc } of docs) {
  const spec = podSpecOf(doc);
  if (!spec) continue;
  const claimed = new Set((spec.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.name));
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const env = {};
    for (const source of container.envFrom ?? []) {
      const name = source.configMapRef?.name;
      if (name === undefined) continue;
      if (!configMaps.has(name)) { problems.push(`${where} container ${container.name}: envFrom ConfigMap ${name}, which no manifest defines`); continue; }
      Object.assign(env, configMaps.get(name));
    }
    for (const variable of container.env ?? []) env[variable.name] = variable.value;
    const engineDir = env.LAMA_TENSORRT_ENGINE_DIR;
    if (engineDir === undefined) continue;
    const mount = (container.volumeMounts ?? []).filter((m) => engineDir === m.mountPath || engineDir.startsWith(`${m.mountPath.replace(/\/$/, "")}/`))
      .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
    if (!mount || !claimed.has(mount.name)) {
      problems.push(`${where} container ${container.name}: engine directory ${engineDir} is not on a persistent volume claim`);
    }
  }
}
for (const entries of byDir.values()) {
  for (const { where, doc } of entries.filter((e) => e.doc.apiVersion === "v1" && e.doc.kind === "Service")) {
    const selector = doc.spec?.selector ?? {};
    const matches = entries.filter((e) => e.doc.kind === "Deployment" && Object.entries(selector)
      .every(([k, v]) => e.doc.spec?.template?.metadata?.labels?.[k] === v));
    if (matches.length === 0) { problems.push(`${where}: selector matches no Deployment`); continue; }
    for (const port of doc.spec?.ports ?? []) {
      if (typeof port.targetPort !== "string") continue;
      const named = matches.some((m) => m.doc.spec.template.spec.containers.some((c) => (c.ports ?? []).some((p) => p.name === port.targetPort)));
      if (!named) problems.push(`${where}: targetPort ${port.targetPort} is no container port name`);
    }
  }
}

for (const problem of problems) console.error(`INVALID ${problem}`);
console.log(`${docs.length} object(s) in ${files.length} file(s) checked, ${problems.length} problem(s)`);
if (features.size) console.log(`Knative config-features needed: ${[...features].sort().map((f) => `${f}: enabled`).join(", ")}`);
process.exit(problems.length ? 1 : 0);
