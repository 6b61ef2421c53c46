// The agent frameworks the live tests and the framework captures run: one
// producer script each (producers/<script>.mjs), the four framework
// scenarios, and the environment each child process gets.

export const FRAMEWORK_SCENARIOS = ['normal', 'leak', 'refusal', 'failing_tool'];

// name: the fixture.producer value and capture file prefix.
// env: extra environment of the child (content capture switches, opt-ins).
export const FRAMEWORKS = [
  { name: 'openai_agents', script: 'openai_agents' },
  { name: 'strands', script: 'strands' },
  { name: 'strands_latest', script: 'strands', env: { OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental' } },
  { name: 'google_adk', script: 'google_adk' },
  { name: 'langfuse', script: 'langfuse' },
  { name: 'agent365', script: 'agent365' },
  { name: 'mastra', script: 'mastra' },
  { name: 'otel_openai', script: 'otel_openai' },
  { name: 'logfire', script: 'logfire' },
  { name: 'traceloop_agent', script: 'traceloop_agent' },
  { name: 'langchain', script: 'langchain' },
  { name: 'openlit', script: 'openlit' },
  { name: 'vercel_ai', script: 'vercel_ai' },
];

export const frameworkByName = (name) => FRAMEWORKS.find((f) => f.name === name);

// frameworkEnv is a child's whole environment: nothing leaks in from the
// caller's shell but PATH and HOME.
export function frameworkEnv(fw, scenario, llm, tracesUrl) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FIXTURE_PRODUCER: fw.name,
    FIXTURE_SCENARIO: scenario,
    FAKE_LLM_URL: llm.url,
    FAKE_LLM_BASE: llm.baseUrl,
    OTLP_TRACES_URL: tracesUrl,
    OTLP_LOGS_URL: tracesUrl.replace(/\/v1\/traces$/, '/v1/logs'),
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    TRACELOOP_TRACE_CONTENT: 'true',
    NO_PROXY: '127.0.0.1,localhost',
    // For SDKs that build their own resource (Traceloop, OpenLIT, Logfire).
    OTEL_SERVICE_NAME: `fixturegen-${fw.name}`,
    OTEL_RESOURCE_ATTRIBUTES: `fixture.producer=${fw.name},fixture.scenario=${scenario}`,
    // SDK telemetry and update checks off; nothing leaves 127.0.0.1.
    MASTRA_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    ...(fw.env ?? {}),
  };
}
