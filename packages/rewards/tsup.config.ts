import { packageConfig } from '../../tsup.package';

export default packageConfig(['src/index.ts', 'src/bin/r1-verify.ts']);
