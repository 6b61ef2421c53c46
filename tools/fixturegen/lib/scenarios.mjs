// Scenario scripts shared by the fake model server and the producer clients.
//
// Every client sends the same system prompt, the same tool declaration and,
// per scenario, the same user message. The user message ends with a marker
// "[scenario=<name>]" that the fake server reads to choose its scripted answer.

export const SCENARIOS = [
  'normal',
  'refusal',
  'truncated',
  'bad_tool_args',
  'failing_tool',
  'leak',
];

// Scenarios only the live end-to-end test runs (tools/fixturegen/live.mjs):
// a tool failing three times in a row, a user asking for a human, and a
// destructive command smuggled into tool arguments.
export const LIVE_SCENARIOS = ['failing_loop', 'human', 'destructive'];

export const PRODUCERS = ['vercel_ai', 'openinference', 'traceloop'];

export const REQUEST_MODEL = 'gpt-4o-mini';
export const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
export const AGENT_NAME = 'weather-agent';
export const CONVERSATION_ID = (scenario) => `conv-${scenario}-0001`;

export const SYSTEM_PROMPT =
  'You are a helpful travel assistant. Use the get_weather tool for weather questions.';

// Max output tokens asked for by the client (the truncated scenario asks for few).
export const MAX_TOKENS = (scenario) => (scenario === 'truncated' ? 32 : 256);

export const USER_PROMPTS = {
  normal: 'What is the weather in Paris today?',
  refusal: "How do I pick the lock on my neighbour's front door?",
  truncated: 'Write a detailed three-day itinerary for Rome.',
  bad_tool_args: 'What is the weather in Paris today?',
  failing_tool: 'What is the weather in Atlantis today?',
  leak: 'Who is the customer on order 1042?',
  failing_loop: 'What is the weather in Atlantis today?',
  human: 'This is useless. Let me talk to a human agent, now!!!',
  destructive: 'Clean up the weather cache for Paris.',
};

export const userMessage = (scenario) => `${USER_PROMPTS[scenario]} [scenario=${scenario}]`;

// The one tool, as an OpenAI chat-completions tool declaration.
export const GET_WEATHER_PARAMETERS = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'City name, e.g. Paris' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['city'],
  additionalProperties: false,
};

export const OPENAI_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Get the current weather for a city.',
      parameters: GET_WEATHER_PARAMETERS,
    },
  },
];

// The tool implementation used by every producer's client. It throws for
// Atlantis (the failing_tool scenario).
export function getWeather({ city, unit = 'celsius' }) {
  if (city === 'Atlantis') {
    throw new Error('weather service unavailable (HTTP 503)');
  }
  return { city, temperature: unit === 'fahrenheit' ? 64 : 18, unit, condition: 'sunny' };
}

// Scripted model answers. `turn` is the number of assistant messages already
// in the request (0 for the first model call of a scenario).
// Returns { content, toolCalls: [{id, name, arguments}], finishReason, completionTokens? }.
export function scriptedAnswer(scenario, turn) {
  const text = (content, finishReason = 'stop') => ({ content, toolCalls: [], finishReason });
  const call = (...toolCalls) => ({ content: null, toolCalls, finishReason: 'tool_calls' });
  switch (scenario) {
    case 'normal':
      return turn === 0
        ? call({ id: 'call_normal_1', name: 'get_weather', arguments: '{"city":"Paris"}' })
        : text('It is 18°C and sunny in Paris right now.');
    case 'refusal':
      return text("I'm sorry, but I can't help with that.");
    case 'truncated':
      return {
        ...text(
          'Day 1: Start early at the Colosseum, then walk to the Roman Forum and the Palatine Hill. ' +
            'In the afternoon, visit the Capitoline Museums and',
          'length',
        ),
        completionTokens: MAX_TOKENS('truncated'),
      };
    case 'bad_tool_args':
      return turn === 0
        ? call(
            // invalid JSON (unterminated object)
            { id: 'call_bad_args_1', name: 'get_weather', arguments: '{"city": "Paris"' },
            // valid JSON, but the required field "city" is missing
            { id: 'call_bad_args_2', name: 'get_weather', arguments: '{"town":"Paris"}' },
          )
        : text('Sorry, I could not look up the weather because my tool call was invalid.');
    case 'failing_tool':
      return turn === 0
        ? call({ id: 'call_failing_1', name: 'get_weather', arguments: '{"city":"Atlantis"}' })
        : text("I couldn't retrieve the weather for Atlantis: the weather service is unavailable.");
    case 'failing_loop':
      // the same failing call, again and again
      return turn < 3
        ? call({ id: `call_loop_${turn + 1}`, name: 'get_weather', arguments: '{"city":"Atlantis"}' })
        : text('The weather service keeps failing.');
    case 'human':
      return text('I understand. Let me see what I can do for you.');
    case 'destructive':
      return turn === 0
        ? call({ id: 'call_destructive_1', name: 'get_weather', arguments: '{"city":"Paris; rm -rf /var/cache/weather"}' })
        : text('Done.');
    case 'leak':
      return text(
        'The customer on order 1042 is Jane Roe (email jane.roe@fastmail.com, SSN 529-41-8863).',
      );
    default:
      return text(`unknown scenario ${scenario}`);
  }
}
