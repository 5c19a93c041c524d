/** Runs the service as a real process, compiled, as `npm start` does (test/support/build.ts builds it first). */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_ARGS = [`${ROOT}dist/main.js`];

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts the server and waits until it listens; rejects with its output if it exits first. */
export function startServerProcess(env: Record<string, string>, cwd = ROOT): Promise<ServerProcess> {
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd,
    // Scheduled checks would test every connection a test makes: on only where a test says so.
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', HEALTH_CHECK_INTERVAL_S: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 20 s:\n${output}`));
    }, 20_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /REST API:\s+(http:\/\/\S+?)\/api\/v1/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], child, output: () => output, exited });
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}

/** Runs the service to completion (e.g. when it should refuse to start). */
export async function runServerProcess(env: Record<string, string>, cwd = ROOT) {
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

/** Runs a command-line tool of the service, compiled, as `npm run` does: its exit code and output. */
export async function runCli(tool: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [`dist/cli/${tool}.js`, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
