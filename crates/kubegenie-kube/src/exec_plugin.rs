//! Failures of exec credential plugins (`users[].user.exec` of a kubeconfig, the
//! `client.authentication.k8s.io/v1` ExecCredential protocol that `aws eks get-token`,
//! `gke-gcloud-auth-plugin` and `kubelogin` speak) turned into messages a user can act on.
//!
//! kube runs the plugin itself; its errors say "unable to run auth exec: No such file or
//! directory" or dump the process output as bytes. As client-go does, these name the plugin,
//! show the kubeconfig's `installHint` when the plugin is missing, and quote what the plugin
//! wrote on stderr when it failed. Standard output is never quoted: it may hold a token.

use kube::client::AuthError;
use kube::config::ExecConfig;

/// Lines of a failed plugin's stderr kept in the message.
const STDERR_LINES: usize = 5;

/// The plugin as a user would type it: command and arguments.
fn command_line(exec: &ExecConfig) -> String {
    let mut parts = vec![exec.command.clone().unwrap_or_default()];
    parts.extend(exec.args.iter().flatten().cloned());
    parts.join(" ")
}

/// The last lines of a plugin's stderr, trimmed.
fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines[lines.len().saturating_sub(STDERR_LINES)..].join(" | ")
}

/// What went wrong with the credential plugin `exec`, when `err` came from running it.
/// `None` when the error has nothing to do with the plugin.
pub fn explain(exec: &ExecConfig, err: &AuthError) -> Option<String> {
    let cmd = command_line(exec);
    let name = exec.command.as_deref().unwrap_or_default();
    let hint = exec
        .install_hint
        .as_deref()
        .map(|h| format!("; install hint: {}", h.trim()))
        .unwrap_or_default();
    let msg = match err {
        AuthError::MissingCommand => "the kubeconfig's exec credential plugin has no command".to_string(),
        AuthError::AuthExecStart(io) if io.kind() == std::io::ErrorKind::NotFound => {
            format!("credential plugin {name:?} not found (is it installed and on PATH?){hint}")
        }
        AuthError::AuthExecStart(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            format!("credential plugin {name:?} is not executable: {io}{hint}")
        }
        AuthError::AuthExecStart(io) => format!("cannot run credential plugin {name:?}: {io}{hint}"),
        AuthError::AuthExecRun { out, .. } => {
            let tail = stderr_tail(&out.stderr);
            let said = if tail.is_empty() {
                String::new()
            } else {
                format!(": {tail}")
            };
            format!("credential plugin `{cmd}` failed ({}){said}", out.status)
        }
        AuthError::AuthExecParse(e) => {
            format!("credential plugin `{cmd}` did not print an ExecCredential: {e}")
        }
        AuthError::ExecPluginFailed => {
            format!("credential plugin `{cmd}` printed an ExecCredential without a status")
        }
        AuthError::ExecMissingClusterInfo => {
            format!("credential plugin `{cmd}` wants cluster info (provideClusterInfo) but none is known")
        }
        AuthError::MalformedTokenExpirationDate(e) => {
            format!("credential plugin `{cmd}` printed a malformed expirationTimestamp: {e}")
        }
        AuthError::AuthExec(text) => format!("credential plugin `{cmd}`: {text}"),
        _ => return None,
    };
    Some(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(cmd: &str, hint: Option<&str>) -> ExecConfig {
        let mut e: ExecConfig = serde_json::from_value(serde_json::json!({
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": cmd,
            "args": ["eks", "get-token"],
        }))
        .unwrap();
        e.install_hint = hint.map(str::to_string);
        e
    }

    #[test]
    fn missing_plugin_names_it_and_shows_the_install_hint() {
        let err = AuthError::AuthExecStart(std::io::Error::from(std::io::ErrorKind::NotFound));
        let m = explain(
            &exec("aws", Some("Install the AWS CLI: https://aws.amazon.com/cli/\n")),
            &err,
        )
        .unwrap();
        assert_eq!(
            m,
            "credential plugin \"aws\" not found (is it installed and on PATH?); install hint: Install the AWS CLI: https://aws.amazon.com/cli/"
        );
        let m = explain(&exec("aws", None), &err).unwrap();
        assert!(!m.contains("hint"), "{m}");
    }

    #[test]
    fn other_auth_errors_are_left_alone() {
        let err = AuthError::UnrefreshableTokenResponse;
        assert_eq!(explain(&exec("aws", None), &err), None);
    }

    #[test]
    fn stderr_keeps_the_last_lines() {
        let s = b"a\n\nb\nc\nd\ne\nf\n";
        assert_eq!(stderr_tail(s), "b | c | d | e | f");
    }
}
