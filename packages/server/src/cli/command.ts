/** Where a command writes: standard output and standard error. */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * A command its feature declares in its own folder (`spoor export`): its name, its lines in
 * `spoor --help`, and how it runs. `run` loads the command's module only when it runs, as
 * `cli/main.ts` does for its own, so `spoor --help` pays for none of them.
 */
export interface DeclaredCommand {
  name: string;
  usage: string;
  run: (args: string[], io: CommandIo) => Promise<number>;
}
