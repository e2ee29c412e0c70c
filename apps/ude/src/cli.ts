/** The `ude` command line. Commands land with the app issue; for now `demo` summarises the seed data. */
import { loadSeed } from "./data.js";

const [command = "demo"] = process.argv.slice(2);
if (command !== "demo") {
  process.stderr.write(`ude: unknown command "${command}" (available: demo)\n`);
  process.exit(2);
}
const seed = loadSeed();
process.stdout.write(
  `seed problem: ${seed.trainingData.length} nodes, observation times ${seed.times.join(", ")}, ` +
    `${seed.connectivity.length}×${seed.connectivity[0].length} connectivity matrix\n`,
);
