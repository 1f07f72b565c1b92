/**
 * Keeps a part running until SIGINT or SIGTERM, then stops it gracefully (requests in
 * flight finish) and exits; a second signal exits at once.
 */
export function runUntilSignal(stop: () => Promise<void>, log: (line: string) => void = (l) => console.log(l)): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    log(`\n${signal}: stopping…`);
    stop().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
