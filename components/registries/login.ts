/**
 * The two things every registry kind builds from plain-or-Output parts: `image-repo-secret`'s docker config for one
 * login, and `imageRepoPrefix`. Plain parts stay plain, so previews and synth show the prefix and a known login costs
 * one apply on its password alone.
 */
import * as pulumi from "@pulumi/pulumi";
import { dockerConfigJson } from "../../engines/oci/dockerConfig";
import { isPlain } from "../validation";

/** One registry login whose parts may be Outputs. */
export interface LoginInput {
    /** The auth key: `harbor.example.com`, `127.0.0.1:5000`, `https://index.docker.io/v1/`. */
    readonly server: pulumi.Input<string>;
    readonly username: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
}

/** The docker config JSON for `login`, secret (every value derived from a credential stays secret). */
export function dockerLoginJson(login: LoginInput): pulumi.Output<string> {
    const { server, username, password } = login;
    const config =
        isPlain(server) && isPlain(username)
            ? pulumi
                  .output(password)
                  .apply((p) => dockerConfigJson([{ server: server as string, username: username as string, password: p }]))
            : pulumi.all([server, username, password]).apply(([s, u, p]) => dockerConfigJson([{ server: s, username: u, password: p }]));
    return pulumi.secret(config);
}

/** `<host>/<path>`, plain when both parts are. */
export function joinPrefix(host: pulumi.Input<string>, path: pulumi.Input<string>): pulumi.Input<string> {
    return isPlain(host) && isPlain(path) ? `${host}/${path}` : pulumi.interpolate`${host}/${path}`;
}
