// Child process of the start-up test: loads the CLI as `dify-plugin-registry mirror --help` would and prints every
// module file that got loaded (JSON), so the test can tell that no Pulumi or cloud SDK came along.
import { main } from "../../cli/main";

void main(["mirror", "--help"].concat(process.argv.slice(2))).then(() => {
    process.stderr.write(JSON.stringify(Object.keys(require.cache)));
});
