import { packageConfig } from '../../tsup.package';

// Two entry points: `@r1/rewards` and `@r1/rewards/testing` (the property-test kit; fast-check is its peer
// dependency, so tsup leaves it external and the main entry never loads it), plus the r1-verify bin.
export default packageConfig(['src/index.ts', 'src/testing/index.ts', 'src/bin/r1-verify.ts']);
