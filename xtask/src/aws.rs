//! `cargo xtask aws-settings`: the `settings.json` each app reads at boot, made from a
//! real stack's outputs, written beside each built app's `index.html`. A customer's
//! phone then needs no set-up: it scans the board's QR code and signs in.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use shared::trust::Deployment;
use shared::{AppKind, Field, SettingsDraft};
use std::path::{Path, PathBuf};

pub const USAGE: &str = "\
usage: cargo xtask aws-settings (--outputs FILE | --display-app-uri URL) \\
           --identity-pool ID --iot-host HOST --order-app-url URL [options]

Writes apps/{display,barista,order}/dist/settings.json for a real deployment.

  --outputs FILE          CloudFormation outputs as JSON, from
                          aws cloudformation describe-stacks --stack-name NAME
                          (its DisplayAppURI output carries six settings)
  --display-app-uri URL   the DisplayAppURI output itself, instead of --outputs
  --identity-pool ID      aws cognito-identity list-identity-pools --max-results 10
  --iot-host HOST         aws iot describe-endpoint --endpoint-type iot:Data-ATS
  --identities KIND       authenticated with deploy/least-privilege.yaml's identity
                          pool; unauthenticated (the default) with the workshop's
  --order-app-url URL     where the order app is hosted (the board's QR code points here)
  --barista-app-url URL   where the barista console is hosted (optional)
  --flavour W|E|V1        the backend generation (default W)
  --event-id ID           the event of a multi-event (E) backend
  --allowed-host HOST     a host staff may point a device at besides the deployment's
                          own (repeatable; none by default, so a settings link can
                          change nothing: see docs/security.md)
  --printer HOST          the address of a network receipt printer the barista console
                          prints cup tickets on (repeatable): its page may then connect
                          to https://HOST (the printer's HTTPS must be on)

It also narrows each page's Content-Security-Policy (index.html and _headers) to the
deployment's hosts.";

/// What `aws-settings` writes: the deployment's `settings.json`, and the receipt printers
/// the barista console's policy lets it reach.
pub struct AwsSettings {
    pub deployment: Deployment,
    /// `host[:port]` of each printer, lower case.
    pub printers: Vec<String>,
}

/// The settings of one deployment, from its stack outputs and the values given.
pub fn settings_from(args: &[String]) -> Result<AwsSettings> {
    let mut draft = SettingsDraft::default();
    let mut allowed_hosts = Vec::new();
    let mut printers = Vec::new();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        match flag.as_str() {
            "--outputs" => {
                let text =
                    std::fs::read_to_string(value).with_context(|| format!("reading {value}"))?;
                draft = draft.overlaid_with(&from_outputs(&text)?);
            }
            "--display-app-uri" => draft = draft.overlaid_with(&from_display_app_uri(value)?),
            "--identity-pool" => draft.set(Field::IdentityPoolId, value),
            "--iot-host" => draft.set(Field::IotHost, value),
            "--identities" => draft.set(Field::Identities, value),
            "--order-app-url" => draft.set(Field::OrderAppUrl, value),
            "--barista-app-url" => draft.set(Field::BaristaAppUrl, value),
            "--flavour" => draft.set(Field::Flavour, value),
            "--event-id" => draft.set(Field::EventId, value),
            "--allowed-host" => {
                shared::url::check_host_port(value).map_err(|e| {
                    anyhow::anyhow!(
                        "--allowed-host {value}: {e} (give a host name such as api.example.com)"
                    )
                })?;
                allowed_hosts.push(value.to_ascii_lowercase());
            }
            "--printer" => {
                shared::url::check_host_port(value).map_err(|e| {
                    anyhow::anyhow!(
                        "--printer {value}: {e} (give its address, such as 192.168.1.50)"
                    )
                })?;
                printers.push(value.to_ascii_lowercase());
            }
            other => bail!("unknown option {other}\n\n{USAGE}"),
        }
    }
    Ok(AwsSettings {
        deployment: Deployment {
            draft,
            allowed_hosts,
        },
        printers,
    })
}

/// The settings in a `DisplayAppURI`: its query string (contract §1.2).
fn from_display_app_uri(uri: &str) -> Result<SettingsDraft> {
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    let draft = SettingsDraft::from_query(query);
    if draft.is_empty() {
        bail!("{uri} carries no settings: expected the DisplayAppURI output, ending in ?region=…&userPoolId=…");
    }
    Ok(draft)
}

/// The settings in CloudFormation outputs: `describe-stacks` output, or its `Outputs`
/// list alone. The `DisplayAppURI` gives six; an output named like an identity pool or
/// an IoT endpoint gives those too.
pub fn from_outputs(json: &str) -> Result<SettingsDraft> {
    let value: Value = serde_json::from_str(json).context("the outputs file is not JSON")?;
    let outputs = value
        .pointer("/Stacks/0/Outputs")
        .or(Some(&value))
        .and_then(Value::as_array)
        .context("expected `aws cloudformation describe-stacks` output, or its Outputs list")?;
    let mut draft = SettingsDraft::default();
    let mut found_uri = false;
    for output in outputs {
        let key = output["OutputKey"].as_str().unwrap_or_default();
        let value = output["OutputValue"].as_str().unwrap_or_default();
        let lower = key.to_ascii_lowercase();
        if key == "DisplayAppURI" || value.contains("userPoolId=") {
            draft = draft.overlaid_with(&from_display_app_uri(value)?);
            found_uri = true;
        } else if lower.contains("identitypool") {
            draft.set(Field::IdentityPoolId, value);
        } else if lower.contains("iot") && (lower.contains("endpoint") || lower.contains("host")) {
            draft.set(
                Field::IotHost,
                value.trim_start_matches("wss://").trim_end_matches("/mqtt"),
            );
        }
    }
    if !found_uri {
        bail!("no DisplayAppURI among the stack outputs: is this the Serverlesspresso stack?");
    }
    Ok(draft)
}

/// Checks the settings for every app and writes each app's `settings.json` into its
/// built `dist/`, with the page's policy narrowed to the deployment's hosts.
pub fn write(root: &Path, aws: &AwsSettings) -> Result<()> {
    write_into(&root.join("apps"), aws)?;
    println!("Upload each app's dist/ folder with its settings.json to your host (or use cargo xtask deploy).");
    Ok(())
}

/// [`write`] for the apps built in `apps/<app>/dist`.
pub fn write_into(apps: &Path, aws: &AwsSettings) -> Result<()> {
    let deployment = &aws.deployment;
    let draft = &deployment.draft;
    let mut problems = Vec::new();
    let mut connect = Vec::new();
    for app in AppKind::ALL {
        match draft.validate(app) {
            Ok(settings) => {
                let mut sources = crate::csp::connect_sources(&settings, &deployment.allowed_hosts);
                if app == AppKind::Barista {
                    sources.extend(aws.printers.iter().map(|p| format!("https://{p}")));
                }
                connect.push(sources);
            }
            Err(errors) => problems.push(format!("  {}: {errors}", app.title())),
        }
    }
    if !problems.is_empty() {
        bail!(
            "these settings are not complete:\n{}\n\n{USAGE}",
            problems.join("\n")
        );
    }
    for app in AppKind::ALL {
        let dist = built(apps, app)?;
        let file = dist.join("settings.json");
        let for_app = Deployment {
            draft: draft.for_app(app),
            allowed_hosts: deployment.allowed_hosts.clone(),
        };
        std::fs::write(&file, for_app.to_json())
            .with_context(|| format!("writing {}", file.display()))?;
        println!("wrote {}", file.display());
        crate::csp::write(&dist, app.slug(), &connect[app_index(app)])?;
        println!(
            "wrote {} and its _headers (Content-Security-Policy)",
            dist.join("index.html").display()
        );
    }
    Ok(())
}

/// `apps/<app>/dist`, or why it cannot be used: no build there yet.
pub fn built(apps: &Path, app: AppKind) -> Result<PathBuf> {
    let dist = apps.join(app.slug()).join("dist");
    if !dist.join("index.html").exists() {
        bail!(
            "{} has no build: run `cargo xtask build` first",
            dist.display()
        );
    }
    Ok(dist)
}

fn app_index(app: AppKind) -> usize {
    AppKind::ALL
        .iter()
        .position(|a| *a == app)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "https://workshop-display.serverlesscoffee.com/?region=us-east-1&userPoolId=us-east-1_AbCdEf123&userPoolWebClientId=1a2b3c4d5e6f7g8h9i0j1k2l3m&orderManagerEndpoint=https://abc123.execute-api.us-east-1.amazonaws.com/Prod/&APIGWEndpointValidatorService=https://def456.execute-api.us-east-1.amazonaws.com/Prod/&APIGWEndpointConfigService=https://ghi789.execute-api.us-east-1.amazonaws.com/Prod/";

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn describe_stacks_output_and_the_two_values_make_settings_for_every_app() {
        let dir = std::env::temp_dir().join(format!("aws-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let outputs = dir.join("outputs.json");
        let json = serde_json::json!({"Stacks": [{"Outputs": [
            {"OutputKey": "DisplayAppURI", "OutputValue": URI},
            {"OutputKey": "UserPoolId", "OutputValue": "us-east-1_AbCdEf123"},
        ]}]});
        std::fs::write(&outputs, json.to_string()).unwrap();
        let deployment = settings_from(&args(&[
            "--outputs",
            outputs.to_str().unwrap(),
            "--identity-pool",
            "us-east-1:11111111-2222-3333-4444-555555555555",
            "--iot-host",
            "a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com",
            "--order-app-url",
            "https://order.example.com/",
            "--allowed-host",
            "API.coffee.example.com",
            "--printer",
            "192.168.1.50",
        ]))
        .unwrap();
        assert_eq!(deployment.printers, ["192.168.1.50"]);
        let deployment = deployment.deployment;
        assert_eq!(deployment.allowed_hosts, ["api.coffee.example.com"]);
        let draft = deployment.draft;
        for app in AppKind::ALL {
            let settings = draft
                .validate(app)
                .unwrap_or_else(|e| panic!("{app:?}: {e}"));
            assert_eq!(settings.region, "us-east-1");
            assert_eq!(settings.cognito_override, None, "real AWS, no emulator");
        }
        assert_eq!(draft.get(Field::OrderAppUrl), "https://order.example.com/");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_outputs_list_with_identity_pool_and_iot_endpoint_outputs_needs_nothing_else() {
        let json = serde_json::json!([
            {"OutputKey": "DisplayAppURI", "OutputValue": URI},
            {"OutputKey": "IdentityPoolId", "OutputValue": "us-east-1:11111111-2222-3333-4444-555555555555"},
            {"OutputKey": "IotEndpoint", "OutputValue": "wss://a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com/mqtt"},
        ]);
        let draft = from_outputs(&json.to_string()).unwrap();
        assert_eq!(
            draft.get(Field::IotHost),
            "a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com"
        );
        assert!(draft.validate(AppKind::Barista).is_ok());
        assert!(
            draft.validate(AppKind::Display).is_err(),
            "the board still needs the order app's URL for its QR code"
        );
    }

    #[test]
    fn wrong_inputs_are_explained() {
        let no_uri = serde_json::json!([{"OutputKey": "Other", "OutputValue": "x"}]);
        assert!(from_outputs(&no_uri.to_string())
            .unwrap_err()
            .to_string()
            .contains("no DisplayAppURI"));
        assert!(from_outputs("not json").is_err());
        assert!(from_display_app_uri("https://example.com/").is_err());
        assert!(settings_from(&args(&["--identity-pool"])).is_err());
        assert!(settings_from(&args(&["--colour", "blue"])).is_err());
        assert!(settings_from(&args(&["--allowed-host", "https://x.example/"])).is_err());
        assert!(settings_from(&args(&["--printer", "https://x.example/"])).is_err());
    }
}
