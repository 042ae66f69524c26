/**
 * What AWS computes when the ECR kind's resources are created or looked up — role and user ARNs, the access key, the
 * caller's account, a cluster's OIDC issuer — answered through the shared mocks (test/support/mocks.ts). Values are
 * fixed and distinctive, so a test can tell where each one ended up (and a leak cannot be a coincidence).
 */
import { answerInvoke, answerResource } from "./mocks";

/** The account in the examples' ARNs and hosts. */
export const ACCOUNT = "123456789012";
/** The account `aws.getCallerIdentity` answers: different, so a test sees which one was used. */
export const CALLER_ACCOUNT = "210987654321";
export const ACCESS_KEY_ID = "AKIAQSENTINEL7F3A9C0";
export const SECRET_ACCESS_KEY = "Sentinel/SecretAccessKey+7f3a9c0EXAMPLEKEYwJalrXUt";
/** What an ECR authorization token would look like; the component must never ask for one. */
export const ECR_TOKEN = "QVdTOlNlbnRpbmVsLWVjci10b2tlbi03ZjNhOWMw";

let partition = "aws";
const calls = new Map<string, number>();

/** The partition the next role and user ARNs are answered in. */
export function answerInPartition(p: "aws" | "aws-cn"): void {
    partition = p;
}

/** How often an invoke was answered since {@link answerAws}. */
export function invokeCount(token: string): number {
    return calls.get(token) ?? 0;
}

/** The ARN the mocks give the IAM role registered as `name`. */
export function roleArn(name: string, p = partition): string {
    return `arn:${p}:iam::${ACCOUNT}:role/${name}-1a2b3c`;
}

const counted = (token: string, answer: (inputs: Record<string, any>) => Record<string, any>) =>
    answerInvoke(token, (inputs) => {
        calls.set(token, invokeCount(token) + 1);
        return answer(inputs);
    });

export function answerAws(): void {
    calls.clear();
    partition = "aws";
    answerResource("aws:iam/role:Role", ({ name }) => ({ id: `${name}-1a2b3c`, state: { arn: roleArn(name), name: `${name}-1a2b3c` } }));
    answerResource("aws:iam/user:User", ({ name }) => ({
        id: `${name}-4d5e6f`,
        state: { arn: `arn:${partition}:iam::${ACCOUNT}:user/${name}-4d5e6f`, name: `${name}-4d5e6f` },
    }));
    answerResource("aws:iam/accessKey:AccessKey", () => ({ id: ACCESS_KEY_ID, state: { secret: SECRET_ACCESS_KEY } }));
    answerResource("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", ({ inputs }) => ({ id: String(inputs.prefix) }));
    counted("aws:index/getCallerIdentity:getCallerIdentity", () => ({
        accountId: CALLER_ACCOUNT,
        arn: `arn:${partition}:iam::${CALLER_ACCOUNT}:user/deployer`,
        userId: "AIDASENTINEL",
        id: CALLER_ACCOUNT,
    }));
    counted("aws:eks/getCluster:getCluster", (inputs) => ({
        name: inputs.name,
        identities: [
            {
                oidcs: [
                    {
                        issuer: `https://oidc.eks.${inputs.name === "dify-cn" ? "cn-north-1.amazonaws.com.cn" : "us-east-1.amazonaws.com"}/id/LOOKEDUP`,
                    },
                ],
            },
        ],
    }));
    counted("aws:ecr/getAuthorizationToken:getAuthorizationToken", () => ({
        authorizationToken: ECR_TOKEN,
        password: "Sentinel-ecr-token-7f3a9c0",
        userName: "AWS",
        proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`,
        expiresAt: "2026-11-28T14:00:00Z",
        id: "us-east-1",
    }));
}
