//! Configuration from a pull request is data, not instructions. In a `pull_request`
//! or `pull_request_target` run the checkout may be the pull request's head, so its
//! `paperlint.toml` is the contributor's: the settings that widen what paperlint may
//! reach or write (the address guard and every endpoint in `[network]` and
//! `[metadata]`, the bot's behaviour in `[github]`) are read instead from the same
//! file on the base commit, through the API. The rest (rules, columns, venues) stays
//! the pull request's: it changes what is reported, never where paperlint goes.

use super::Env;
use super::api::Api;
use crate::config::Config;
use std::path::Path;

/// `head` with its widening settings taken from the base commit's configuration
/// (the defaults when the base has none). `explicit` is `--config`, if given.
pub async fn trusted(env: &Env, head: Config, explicit: Option<&Path>) -> anyhow::Result<Config> {
    let api = Api::with_network(&env.api_url, &env.repository, env.token(), &head.network)?;
    let at = env
        .pr_base_sha()
        .ok_or_else(|| anyhow::anyhow!("a pull-request run needs pull_request.base.sha in GITHUB_EVENT_PATH to read the base branch's configuration"))?;
    let candidates: Vec<String> = match explicit {
        Some(p) => vec![p.to_string_lossy().trim_start_matches("./").to_string()],
        // The names discovery reads (never a config.toml, which may be a site's).
        None => crate::config::DISCOVERED_NAMES
            .iter()
            .map(|name| (*name).to_owned())
            .collect(),
    };
    let mut base = Config::default();
    for path in candidates {
        let route = format!("/contents/{path}?ref={at}");
        match api.get(&route).await {
            Ok(v) => {
                let bytes = super::api::content_bytes(&v)
                    .map_err(|e| anyhow::anyhow!("{path} at the base commit: not base64: {e}"))?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| anyhow::anyhow!("{path} at the base commit: not UTF-8"))?;
                base = Config::parse(&text, &format!("{path} (base commit {at:.7})"))?;
                break;
            }
            Err(e) if e.status == Some(404) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let mut config = head;
    config.take_reach_from(&base);
    Ok(config)
}
