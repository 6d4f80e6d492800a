// 3. Secrets: the registry password, github-token, credentials inside proxy URLs and `secrets`
// values, all used at once in a set of scenarios (success, failures on each side, dry run, local
// build). Each must be masked, and absent (raw, URL-decoded, base64, in its encoded header or
// Docker form, JSON-escaped) from everything the scenario shows or leaves: stdout/stderr minus the
// ::add-mask:: lines, outputs, job summary, saved state, every file under the job (checkout and
// `.arg`, temporary files, tool cache, command files), the git and docker command lines, Earthly's
// command line and the stand-in's invocation log. Secrets reach Earthly only through its
// environment, under their own names: proxy URLs with credentials as `--build-arg NAME` (no value,
// so Earthly reads NAME from its environment), so they appear in the build's args and nowhere else.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionResult, type StandinInvocation } from '../harness/index.js';
import {
  type Job,
  buildInputs,
  cancelDuringBuild,
  inPool,
  readTree,
  runMain,
  shown,
  useSuite,
} from './support.js';

const REGISTRY_USER = 'ci-bot';
const REGISTRY_PASSWORD = 'Reg1stry-Pa55!wd-7c3e';
const WRONG_PASSWORD = 'Wr0ng-Pa55-e1f0-aa';
const TOKEN = 'ghs_Tok3nFromTheRunner0011223344';
const HTTP_PROXY_PASSWORD = 'Pr0xy%40Pass-9f2a'; // as written in the URL; the proxy sees Pr0xy@Pass-9f2a
const HTTPS_PROXY_PASSWORD = 'Sec0nd-Pr0xy-Pass-51d';
const HTTP_PROXY = `http://proxyuser:${HTTP_PROXY_PASSWORD}@127.0.0.1:9`;
const HTTPS_PROXY = `http://proxyuser2:${HTTPS_PROXY_PASSWORD}@127.0.0.1:9`;
const PRO_KEY = 'Pr0-K3y-C0ffee-1234-5678';
const BUILD_TOKEN = `b$uild'tok"en with spaces-88aa`;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1);

interface Secret {
  name: string;
  forms: string[];
  /** May appear in the build's resolved args (read from Earthly's environment) and nowhere else. */
  proxy?: boolean;
}

function secretsOf(password: string): Secret[] {
  const secrets: Secret[] = [
    {
      name: 'registry-password',
      forms: [password, b64(password), b64(`${REGISTRY_USER}:${password}`)],
    },
    { name: 'github-token', forms: [TOKEN, b64(`x-access-token:${TOKEN}`)] },
    {
      name: 'http-proxy credentials',
      forms: [HTTP_PROXY_PASSWORD, decodeURIComponent(HTTP_PROXY_PASSWORD), HTTP_PROXY],
      proxy: true,
    },
    { name: 'https-proxy credentials', forms: [HTTPS_PROXY_PASSWORD, HTTPS_PROXY], proxy: true },
    { name: 'secrets UBUNTU_PRO_KEY', forms: [PRO_KEY, b64(PRO_KEY)] },
    {
      name: 'secrets BUILD_TOKEN',
      forms: [
        BUILD_TOKEN,
        jsonEscaped(BUILD_TOKEN),
        encodeURIComponent(BUILD_TOKEN),
        b64(BUILD_TOKEN),
      ],
    },
  ];
  return secrets.map((s) => ({ ...s, forms: [...new Set(s.forms)] }));
}

interface Scenario {
  name: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** Cancel the job with SIGTERM while Earthly runs, and read Earthly's environment meanwhile. */
  cancel?: boolean;
  /** The main step's exit code. */
  code: 0 | 1;
  error?: RegExp;
  earthly: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'push build, skip-existing lookups', code: 0, earthly: true },
  { name: 'local build (push: false)', inputs: { push: 'false' }, code: 0, earthly: true },
  { name: 'dry run', inputs: { 'dry-run': 'true' }, code: 0, earthly: false },
  {
    name: 'Earthly fails (exit 7)',
    env: { STANDIN_EARTHLY_EXIT: '7' },
    code: 1,
    error: /^Earthly failed with exit code 7/,
    earthly: true,
  },
  {
    name: 'cancelled mid-build (SIGTERM)',
    cancel: true,
    env: { STANDIN_EARTHLY_SLEEP: '60' },
    code: 1,
    error: /^Earthly failed with exit code 2: the build was cancelled/,
    earthly: true,
  },
  {
    name: 'wrong registry password',
    inputs: { 'registry-password': WRONG_PASSWORD },
    code: 1,
    error: /registry-password/,
    earthly: false,
  },
  {
    name: 'CanvOS tag gone',
    inputs: { 'canvos-version': 'v4.9.99' },
    code: 1,
    error: /^canvos-version: v4\.9\.99 is not a tag of canvos-repository; nearest tags: /,
    earthly: false,
  },
];

const captured = new Map<
  string,
  {
    places: Record<string, string>;
    earthlyEnv: string[];
    masks: string[];
    earthly: StandinInvocation[];
    main: ActionResult;
  }
>();

function allSecretInputs(extra: Record<string, string> = {}): Record<string, string> {
  return buildInputs(s.h, {
    'canvos-repository': s.h.canvos.privateUrl,
    'github-token': TOKEN,
    'registry-username': REGISTRY_USER,
    'registry-password': REGISTRY_PASSWORD,
    'http-proxy': HTTP_PROXY,
    'https-proxy': HTTPS_PROXY,
    secrets: `UBUNTU_PRO_KEY=${PRO_KEY}\nBUILD_TOKEN=${BUILD_TOKEN}`,
    'skip-existing': 'true',
    ...extra,
  });
}

/** The stand-in's record without the one place proxy URLs are meant to be: the build's args. */
function withoutProxyBuildArgs(run: StandinInvocation): unknown {
  const strip = (args: Record<string, string>) =>
    Object.fromEntries(Object.entries(args).filter(([key]) => !/^https?_proxy$/i.test(key)));
  return { ...run, buildArgs: strip(run.buildArgs), cliBuildArgs: strip(run.cliBuildArgs) };
}

async function capture(scenario: Scenario): Promise<void> {
  const env = { GITHUB_SERVER_URL: new URL(s.h.canvos.privateUrl).origin, ...scenario.env };
  // Each scenario its own image: skip-existing must not find another scenario's push.
  const tag = `secrets-${SCENARIOS.indexOf(scenario)}`;
  const inputs = allSecretInputs({ 'custom-tag': tag, ...scenario.inputs });
  const cancel = scenario.cancel ? cancelDuringBuild('SIGTERM') : undefined;
  const job: Job = await runMain(s, {
    name: 'secrets',
    inputs,
    env: { ...env, ...cancel?.env },
    onData: cancel?.onData,
  });
  const places: Record<string, string> = {};
  const earthlyEnv = cancel?.earthlyEnv() ?? [];
  if (cancel) {
    // Earthly gets the secrets through its environment, under their own names: anything else is a leak.
    places["Earthly's environment (minus the secrets' own variables)"] = earthlyEnv
      .filter((entry) => !/^(UBUNTU_PRO_KEY|BUILD_TOKEN|HTTPS?_PROXY|https?_proxy)=/.test(entry))
      .join('\n');
  }
  const add = (step: 'main' | 'post', result: ActionResult) => {
    places[`${step}: stdout and stderr (minus ::add-mask::)`] = shown(result);
    places[`${step}: outputs`] = JSON.stringify(result.outputs);
    places[`${step}: job summary`] = result.summary;
    places[`${step}: saved state`] = JSON.stringify(result.state);
  };
  add('main', job.main.result);
  places['main: git and docker command lines'] = JSON.stringify(job.main.calls);
  // The Docker config holds the login until the post step logs out (checked after it).
  for (const [rel, text] of Object.entries(
    readTree(job.workDir, (rel) => rel === join('home', '.docker', 'config.json')),
  )) {
    places[`file after main: ${rel}`] = text;
  }
  const checkout =
    job.main.result.state['temp-dir'] && join(job.main.result.state['temp-dir'], 'canvos');
  const earthly = s.h.invocations().filter((run) => run.cwd === checkout && run.target);
  places['stand-in invocation log (minus proxy build args)'] = JSON.stringify(
    earthly.map(withoutProxyBuildArgs),
  );
  places["Earthly's options (before the target)"] = JSON.stringify(
    earthly.map((run) => run.argv.slice(0, run.argv.indexOf('+build-provider-images'))),
  );
  const post = await job.runPost();
  add('post', post.result);
  places['post: git and docker command lines'] = JSON.stringify(post.calls);
  for (const [rel, text] of Object.entries(readTree(job.workDir)))
    places[`file after post: ${rel}`] = text;
  captured.set(scenario.name, {
    places,
    earthlyEnv,
    masks: job.main.result.masks,
    earthly,
    main: job.main.result,
  });
}

const s = useSuite({
  registry: { username: REGISTRY_USER, password: REGISTRY_PASSWORD },
  gitToken: TOKEN,
});
beforeAll(() => inPool(SCENARIOS, 3, capture));

/** Malformed inputs that carry a secret: the error must name the input without echoing it. */
const MALFORMED: { name: string; input: string; value: string; secret: string }[] = [
  {
    name: 'a secrets line without KEY=',
    input: 'secrets',
    value: 'Sup3r-S3cret-N0-Key-1a2b',
    secret: 'Sup3r-S3cret-N0-Key-1a2b',
  },
  {
    name: 'a base64 secret without KEY= (its = splits it)',
    input: 'secrets',
    value: 'c2VjcmV0LXRva2VuLXZhbHVl==',
    secret: 'c2VjcmV0LXRva2VuLXZhbHVl',
  },
  {
    name: 'a secrets line with a lower-case key',
    input: 'secrets',
    value: 'pro_key=Sup3r-S3cret-L0wer-3c4d',
    secret: 'Sup3r-S3cret-L0wer-3c4d',
  },
  {
    name: 'an empty secret next to a real one',
    input: 'secrets',
    value: 'A=Sup3r-S3cret-Next-5e6f\nB=',
    secret: 'Sup3r-S3cret-Next-5e6f',
  },
  {
    name: 'canvos-repository with credentials',
    input: 'canvos-repository',
    value: 'https://bot:Tok3n-In-Url-99aa@github.com/a/b.git',
    secret: 'Tok3n-In-Url-99aa',
  },
  {
    name: 'an invalid canvos-repository URL with credentials',
    input: 'canvos-repository',
    value: 'https://bot:Tok3n-Bad-Url-42ff@exa mple.com/a/b.git',
    secret: 'Tok3n-Bad-Url-42ff',
  },
  {
    name: 'a proxy URL with credentials and a space',
    input: 'http-proxy',
    value: 'http://u:Pr0xy-Sp4ce-11@proxy:3128/a b',
    secret: 'Pr0xy-Sp4ce-11',
  },
  {
    name: 'a proxy URL with credentials and no scheme',
    input: 'https-proxy',
    value: 'u:Pr0xy-N0-Scheme-22@proxy:3128',
    secret: 'Pr0xy-N0-Scheme-22',
  },
  {
    name: 'a proxy URL with credentials and a bad scheme',
    input: 'https-proxy',
    value: 'ftp://u:Pr0xy-Ftp-33@proxy:21',
    secret: 'Pr0xy-Ftp-33',
  },
  {
    name: 'a proxy URL with credentials and a bad port',
    input: 'http-proxy',
    value: 'http://u:Pr0xy-P0rt-44@proxy:99999',
    secret: 'Pr0xy-P0rt-44',
  },
];

describe('3. secrets', () => {
  describe.each(SCENARIOS.map((sc) => [sc.name, sc] as const))('%s', (name, scenario) => {
    it('ends as expected', () => {
      const { main, earthly } = captured.get(name)!;
      expect(main.code, main.errors.join('\n')).toBe(scenario.code);
      if (scenario.error) expect(main.errors).toEqual([expect.stringMatching(scenario.error)]);
      expect(earthly.length > 0).toBe(scenario.earthly);
    });

    it('masks every secret before anything else', () => {
      const { masks, main } = captured.get(name)!;
      const lines = main.stdout.split('\n');
      const lastMask = lines.findLastIndex((line) => line.startsWith('::add-mask::'));
      expect(
        lines.slice(0, lastMask).filter((line) => !/^::(add-mask|group|endgroup)::/.test(line)),
      ).toEqual([]);
      const password = scenario.inputs?.['registry-password'] ?? REGISTRY_PASSWORD;
      expect(masks).toEqual(
        expect.arrayContaining([
          password,
          TOKEN,
          b64(`x-access-token:${TOKEN}`),
          PRO_KEY,
          BUILD_TOKEN,
          HTTP_PROXY_PASSWORD,
          decodeURIComponent(HTTP_PROXY_PASSWORD),
          HTTP_PROXY,
          HTTPS_PROXY_PASSWORD,
          HTTPS_PROXY,
        ]),
      );
    });

    it.each(
      secretsOf(scenario.inputs?.['registry-password'] ?? REGISTRY_PASSWORD).map(
        (secret) => [secret.name, secret] as const,
      ),
    )('%s appears nowhere', (_secret, secret) => {
      const { places } = captured.get(name)!;
      expect(Object.keys(places).length).toBeGreaterThan(10);
      const leaks = Object.entries(places).flatMap(([place, text]) =>
        secret.forms
          .filter((form) => text.includes(form))
          .map((form) => `${place} holds ${JSON.stringify(form)}`),
      );
      expect(leaks).toEqual([]);
    });

    if (scenario.cancel) {
      it("Earthly's environment: the secrets under their own names, no action input", () => {
        const { earthlyEnv } = captured.get(name)!;
        expect(earthlyEnv.length).toBeGreaterThan(5);
        expect(earthlyEnv).toContain(`UBUNTU_PRO_KEY=${PRO_KEY}`);
        expect(earthlyEnv).toContain(`BUILD_TOKEN=${BUILD_TOKEN}`);
        expect(earthlyEnv).toContain(`HTTP_PROXY=${HTTP_PROXY}`);
        expect(earthlyEnv).toContain(`HTTPS_PROXY=${HTTPS_PROXY}`);
        expect(earthlyEnv.filter((entry) => /^(INPUT|STATE)_/.test(entry))).toEqual([]);
      });
    }

    if (scenario.earthly) {
      // earthly/earthly variables/parse.go: `--build-arg NAME` with no value is os.LookupEnv(NAME).
      it('proxy credentials reach the build from Earthly’s environment, never its argv', () => {
        const { earthly } = captured.get(name)!;
        for (const run of earthly) {
          const target = run.argv.indexOf('+build-provider-images');
          expect(run.argv.slice(target + 1)).toEqual([]);
          // CanvOS v4.9.38 reads `ARG UBUNTU_PRO_KEY`: a build arg from the environment too.
          expect(run.globalFlags.buildArgs).toEqual([
            'HTTP_PROXY',
            'HTTPS_PROXY',
            'UBUNTU_PRO_KEY',
          ]);
          expect(run.cliBuildArgs).toMatchObject({ HTTP_PROXY, HTTPS_PROXY });
          expect(run.secretNames).toEqual(['BUILD_TOKEN']);
        }
      });
    }
  });

  describe('malformed inputs that carry a secret', () => {
    it.concurrent.each(MALFORMED.map((m) => [m.name, m] as const))(
      '%s: named, not echoed',
      async (_name, m) => {
        const result = await runAction({
          inputs: { ...buildInputs(s.h), [m.input]: m.value },
          env: s.h.env(),
          workDir: s.h.jobDir('malformed'),
        });
        expect(result.code).toBe(1);
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0].startsWith(`${m.input}: `), result.errors[0]).toBe(true);
        expect(shown(result)).not.toContain(m.secret);
      },
    );
  });
});
