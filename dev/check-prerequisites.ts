// `npm test` runs this first (the `pretest` script): exits 1 with one message naming every missing
// prerequisite, or silently 0.
import { checkPrerequisites, describeMissing } from './prerequisites';

const missing = checkPrerequisites(process.env);
if (missing.length > 0) {
  process.stderr.write(describeMissing(missing));
  process.exit(1);
}
