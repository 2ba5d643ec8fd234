//! What a URL says about the paper behind it, without fetching anything: arXiv ids,
//! DOIs, a normalised form for spotting duplicates, whether a host is scholarly or a
//! code host, and repairs for malformed URLs of well-known scholarly hosts.

use crate::model::PaperRef;
use regex::Regex;
use std::sync::LazyLock;

/// The arXiv id (without version) a URL points at, if any.
pub fn arxiv_id(url: &str) -> Option<String> {
    let mut id = arxiv_versioned_id(url)?;
    if has_version(&id)
        && let Some(v) = id.rfind('v')
    {
        id.truncate(v);
    }
    Some(id)
}

/// The arXiv id with its version when the URL names one (`2104.12255v1`), else the
/// plain id; arXiv's own entry ids always carry the version.
pub fn arxiv_versioned_id(url: &str) -> Option<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?ix)(?:arxiv\.org/(?:abs|pdf|html|format)/ | 10\.48550/arxiv\.)([0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)? | [a-z-]+(?:\.[a-z]{2})?/[0-9]{7}(?:v[0-9]+)?)").unwrap()
    });
    // Every form names arXiv; most links do not, and they skip the regex.
    if !contains_ignoring_case(url, "arxiv") {
        return None;
    }
    RE.captures(url).map(|c| c[1].to_lowercase())
}

/// The versioned arXiv id, only when the URL names a version.
pub fn arxiv_explicit_version(url: &str) -> Option<String> {
    arxiv_versioned_id(url).filter(|v| has_version(v))
}

/// Whether an arXiv id ends in a version (`v2`).
pub fn has_version(id: &str) -> bool {
    id.rsplit_once('v').is_some_and(|(base, n)| {
        !base.is_empty()
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
            && base.ends_with(|c: char| c.is_ascii_digit())
    })
}

/// The DOI a URL carries (doi.org links and publisher URLs that embed it).
pub fn doi(url: &str) -> Option<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?ix)^https?://(?:dx\.)?doi\.org/(10\.[0-9]{4,9}/[^\s?\#]+)
              | ^https?://(?:[a-z0-9-]+\.)*(?:acm\.org|wiley\.com|tandfonline\.com|science\.org|pnas\.org|oup\.com|springer\.com)/(?:.*?/)?(?:doi|chapter|article)/(?:abs/|pdf/|full/|epdf/)?(10\.[0-9]{4,9}/[^\s?\#]+)
              | ^https?://journals\.plos\.org/.*[?&]id=(10\.[0-9]{4,9}/[^\s&\#]+)",
        )
        .unwrap()
    });
    static NATURE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^https?://(?:www\.)?nature\.com/articles/([a-z0-9.-]+?)(?:\.pdf)?/?(?:[?#].*)?$",
        )
        .unwrap()
    });
    // DOIs are often percent-encoded in links (`10.1145%2F3458754`).
    let decoded;
    let url = if url.contains('%') {
        decoded = percent_decode(url);
        decoded.as_str()
    } else {
        url
    };
    // Every DOI starts `10.` and the Nature form names its host: most links have
    // neither and skip the regexes.
    if url.contains("10.")
        && let Some(c) = RE.captures(url)
    {
        let raw = c.get(1).or(c.get(2)).or(c.get(3))?.as_str();
        return Some(raw.trim_end_matches(['/', '.']).to_lowercase());
    }
    if !contains_ignoring_case(url, "nature.com") {
        return None;
    }
    NATURE
        .captures(url)
        .map(|c| format!("10.1038/{}", c[1].to_lowercase()))
}

/// The arXiv id or DOI of the paper a URL points at, preferring arXiv over DOI
/// (never [`PaperRef::Landing`]; [`identify`] adds those).
pub fn paper_id(url: &str) -> Option<PaperRef> {
    arxiv_id(url)
        .map(PaperRef::Arxiv)
        .or_else(|| doi(url).map(PaperRef::Doi))
}

/// Identifies the paper behind a URL: arXiv first, then a DOI (doi.org or a publisher
/// URL that contains it), then a known proceedings page.
pub fn identify(url: &str) -> Option<PaperRef> {
    paper_id(url).or_else(|| landing_page(url).map(PaperRef::Landing))
}

/// The hosts whose pages [`landing_page`] reads (after an optional `www.`, followed
/// by `/`). Every one of its patterns names its host, so a link anywhere else skips
/// them, and they are compiled at the first link that may match rather than at the
/// first link of the list.
const LANDING_HOSTS: &[&str] = &[
    "aclanthology.org",
    "openreview.net",
    "openaccess.thecvf.com",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "proceedings.mlr.press",
    "ecva.net",
    "link.springer.com",
    "ojs.aaai.org",
    "ijcai.org",
    "ieeexplore.ieee.org",
];

/// Whether `url` is on one of the [`LANDING_HOSTS`] (as the patterns write it: a
/// lower-case `http(s)://`, an optional `www.`).
fn on_landing_host(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    LANDING_HOSTS
        .iter()
        .any(|h| rest.strip_prefix(h).is_some_and(|r| r.starts_with('/')))
}

/// The landing page (with `citation_*` tags) for a proceedings URL, PDF links mapped
/// to their page.
pub fn landing_page(url: &str) -> Option<String> {
    if !on_landing_host(url) {
        return None;
    }
    static ACL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^https?://(?:www\.)?aclanthology\.org/((?:[0-9]{4}\.[a-z0-9-]+\.[0-9]+)|(?:[A-Z][0-9]{2}-[0-9]{4}))(?:\.pdf|/)?$").unwrap()
    });
    static OPENREVIEW: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^https?://openreview\.net/(?:pdf|forum)\?id=([A-Za-z0-9_-]+)").unwrap()
    });
    static CVF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(https?://openaccess\.thecvf\.com/.+)/papers/(.+)\.pdf$").unwrap()
    });
    static NEURIPS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(https?://(?:proceedings\.neurips\.cc|papers\.nips\.cc)/paper(?:_files/paper)?/[0-9]{4}/)(?:file|hash)/([0-9a-f]+)-(?:Paper|Abstract)(?:-Conference)?\.(?:pdf|html)$").unwrap()
    });
    static PMLR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(https?://proceedings\.mlr\.press/v[0-9]+/[^/]+?)(?:/[^/]+\.pdf|\.pdf|\.html)$",
        )
        .unwrap()
    });
    if let Some(c) = ACL.captures(url) {
        return Some(format!("https://aclanthology.org/{}/", &c[1]));
    }
    if let Some(c) = OPENREVIEW.captures(url) {
        return Some(format!("https://openreview.net/forum?id={}", &c[1]));
    }
    if let Some(c) = CVF.captures(url) {
        return Some(format!("{}/html/{}.html", &c[1], &c[2]));
    }
    if let Some(c) = NEURIPS.captures(url) {
        return Some(format!("{}hash/{}-Abstract.html", &c[1], &c[2]));
    }
    if let Some(c) = PMLR.captures(url) {
        return Some(format!("{}.html", &c[1]));
    }
    // Pages that are their own landing page: CVF's html pages, ECVA (ECCV), Springer
    // chapters and articles whose path holds no DOI.
    static OWN_PAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^https?://(openaccess\.thecvf\.com/.+/html/[^/?#]+\.html|(?:www\.)?ecva\.net/papers/eccv_[0-9]{4}/papers_ECCV/html/[^/?#]+\.php|link\.springer\.com/(?:chapter|article)/[^/?#]+)(?:[?#].*)?$").unwrap()
    });
    static AAAI: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^https?://ojs\.aaai\.org/index\.php/([A-Za-z]+)/article/(?:view|download)/([0-9]+)(?:/[0-9]+)?/?$").unwrap()
    });
    static IJCAI: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^https?://(?:www\.)?ijcai\.org/proceedings/([0-9]{4})/0*([0-9]+)(?:\.pdf)?/?$")
            .unwrap()
    });
    static IEEE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^https?://ieeexplore\.ieee\.org/(?:(?:abstract/)?document/([0-9]+)|stamp/stamp\.jsp\?(?:.*&)?arnumber=([0-9]+))").unwrap()
    });
    if let Some(c) = OWN_PAGE.captures(url) {
        return Some(format!("https://{}", &c[1]));
    }
    if let Some(c) = AAAI.captures(url) {
        return Some(format!(
            "https://ojs.aaai.org/index.php/{}/article/view/{}",
            &c[1], &c[2]
        ));
    }
    if let Some(c) = IJCAI.captures(url) {
        return Some(format!(
            "https://www.ijcai.org/proceedings/{}/{}",
            &c[1], &c[2]
        ));
    }
    // IEEE Xplore: the document page (its metadata object, or nothing: never a guess).
    if let Some(c) = IEEE.captures(url) {
        let id = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        return Some(format!("https://ieeexplore.ieee.org/document/{id}/"));
    }
    None
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A comparison key for "the same URL": scheme, `www.`, case of the host, a trailing
/// slash and the fragment do not matter.
pub fn normalized_url(url: &str) -> Option<String> {
    let url = url.trim();
    normalized_plain(url).or_else(|| normalized_by_parser(url))
}

/// [`normalized_url`] through the URL parser: percent-encoding added, dot segments
/// resolved, the default port and the fragment dropped.
fn normalized_by_parser(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.trim_start_matches("www.");
    let path = parsed.path().trim_end_matches('/');
    let query = parsed.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{host}{path}{query}"))
}

/// [`normalized_url`] of a URL the parser would leave as written: a plain host
/// ([`plain_http_host`]) and a path and query of printable ASCII that needs no
/// percent-encoding and has no dot segment. `None` means "ask the parser"; most links
/// of a list take this path (the duplicate rule normalises every paper link).
fn normalized_plain(url: &str) -> Option<String> {
    let host = plain_http_host(url)?;
    let end = host.as_ptr() as usize - url.as_ptr() as usize + host.len();
    let mut rest = &url[end..];
    if let Some(port) = rest.strip_prefix(':') {
        rest = &port[port.find(['/', '?', '#']).unwrap_or(port.len())..];
    }
    let rest = &rest[..rest.find('#').unwrap_or(rest.len())];
    // What the parser would encode or rewrite (quotes, brackets, backslashes, spaces,
    // anything outside ASCII), kept out rather than imitated.
    let untouched = rest.bytes().all(|b| {
        b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'\'' | b'<' | b'>' | b'`' | b'{' | b'}' | b'\\' | b'^' | b'|' | b'[' | b']'
            )
    });
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let dot_segment =
        path.split('/').any(|seg| seg == "." || seg == "..") || contains_ignoring_case(path, "%2e");
    if !untouched || dot_segment {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let host = host.trim_start_matches("www.");
    let path = path.trim_end_matches('/');
    Some(match query {
        Some(q) => format!("{host}{path}?{q}"),
        None => format!("{host}{path}"),
    })
}

/// The host of an http(s) URL, lower-cased and without `www.`.
pub fn host(url: &str) -> Option<String> {
    let url = url.trim();
    if let Some(host) = plain_http_host(url) {
        let host = host.to_ascii_lowercase();
        return Some(host.trim_start_matches("www.").to_string());
    }
    let parsed = url::Url::parse(url).ok()?;
    Some(
        parsed
            .host_str()?
            .trim_start_matches("www.")
            .to_ascii_lowercase(),
    )
}

fn host_in(host: &str, list: &[&str]) -> bool {
    list.iter().any(|d| {
        host == *d
            || (host.len() > d.len()
                && host.ends_with(d)
                && host.as_bytes()[host.len() - d.len() - 1] == b'.')
    })
}

/// True for hosts that serve papers: preprint servers, DOI, publishers, proceedings.
pub fn is_scholarly_host(host: &str) -> bool {
    host_in(
        host,
        &[
            "arxiv.org",
            "doi.org",
            "aclanthology.org",
            "aclweb.org",
            "openreview.net",
            "thecvf.com",
            "neurips.cc",
            "nips.cc",
            "mlr.press",
            "acm.org",
            "ieee.org",
            "springer.com",
            "nature.com",
            "science.org",
            "sciencemag.org",
            "sciencedirect.com",
            "biorxiv.org",
            "medrxiv.org",
            "oup.com",
            "wiley.com",
            "tandfonline.com",
            "plos.org",
            "pnas.org",
            "semanticscholar.org",
            "aaai.org",
            "ijcai.org",
            "jmlr.org",
            "cell.com",
            "thelancet.com",
            "nejm.org",
            "jamanetwork.com",
            "bmj.com",
            "nih.gov",
            "ssrn.com",
            "mdpi.com",
            "frontiersin.org",
            "ecva.net",
            "iclr.cc",
            "isca-speech.org",
            "researchgate.net",
            "elsevier.com",
            "iop.org",
            "aps.org",
            "sagepub.com",
            "cambridge.org",
            "ojs.aaai.org",
            "proceedings.mlr.press",
            "papers.nips.cc",
        ],
    )
}

/// True for hosts that serve code or models.
pub fn is_code_host(host: &str) -> bool {
    host_in(
        host,
        &[
            "github.com",
            "gitlab.com",
            "huggingface.co",
            "bitbucket.org",
            "gitee.com",
            "colab.research.google.com",
            "codeberg.org",
        ],
    )
}

/// Known scholarly sites, by the first label of their host, and their real host.
const KNOWN_SITES: &[(&str, &str)] = &[
    ("aclanthology", "aclanthology.org"),
    ("arxiv", "arxiv.org"),
    ("openreview", "openreview.net"),
    ("doi", "doi.org"),
    ("dx.doi", "doi.org"),
];

/// A repaired form of a malformed URL when the intent is unambiguous: a misspelt
/// scheme (`htps://`, `https//`), or a known scholarly host whose top-level domain
/// was dropped (`aclanthology.2022.x.1` → `aclanthology.org/2022.x.1`).
/// The result always parses and has a public suffix.
pub fn repair_url(raw: &str) -> Option<String> {
    static SCHEME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:h?t{1,3}ps?|hhttps?|http?s?)(?::/{0,3}|/{1,3}|:\\{2})").unwrap()
    });
    let raw = raw.trim();
    let (rest, had_scheme) = match SCHEME.find(raw) {
        Some(m) => (&raw[m.end()..], true),
        None => (raw, false),
    };
    let lower = rest.to_ascii_lowercase();
    let lower = lower.strip_prefix("www.").unwrap_or(&lower);
    let rest_no_www = &rest[rest.len() - lower.len()..];
    for (label, real) in KNOWN_SITES {
        let prefix = format!("{label}.");
        if lower.starts_with(&prefix) && !lower.starts_with(real) {
            let tail = &rest_no_www[prefix.len()..];
            let candidate = format!("https://{real}/{}", tail.trim_start_matches('/'));
            if is_well_formed(&candidate) && plausible_for(real, tail) {
                return Some(candidate);
            }
        }
    }
    let candidate = format!("https://{rest}");
    if (had_scheme || looks_like_domain(rest)) && candidate != raw && is_well_formed(&candidate) {
        return Some(candidate);
    }
    None
}

/// Does `tail` look like a path of the site `real` (so that a repair is not a guess)?
fn plausible_for(real: &str, tail: &str) -> bool {
    static ACL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[0-9]{4}\.[a-z0-9-]+\.[0-9]+|[A-Z][0-9]{2}-[0-9]{4})(?:\.pdf|/)?$")
            .unwrap()
    });
    static ARXIV: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:abs|pdf|html)/").unwrap());
    static OPENREVIEW: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:forum|pdf)\?id=").unwrap());
    match real {
        "aclanthology.org" => ACL.is_match(tail),
        "arxiv.org" => ARXIV.is_match(tail),
        "openreview.net" => OPENREVIEW.is_match(tail),
        "doi.org" => tail.starts_with("10."),
        _ => false,
    }
}

/// Whether a scheme-less string starts with something that is clearly a web host
/// (`www.…`, or `host.tld/…` with a common top-level domain), not a relative path.
pub fn looks_like_domain(s: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+|(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|ai|cc|dev|app|info)(?:/|$))").unwrap()
    });
    RE.is_match(s)
}

/// Whether an http(s) URL parses and its host is an IP address or has a public suffix.
pub fn is_well_formed(url: &str) -> bool {
    matches!(check_http_url(url), Ok(()))
}

/// The scheme of a URL (`[A-Za-z][A-Za-z0-9+.-]*` before a `:`), as written. A scan, not
/// a regex: it runs for every link of every list.
fn scheme_of(url: &str) -> Option<&str> {
    let bytes = url.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    let end = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')))?;
    (bytes[end] == b':').then(|| &url[..end])
}

/// The authority of `scheme://[userinfo@]host[:port][/?#…]` as written (empty when
/// absent), or `None` when the URL has no `scheme://`.
pub fn authority(url: &str) -> Option<&str> {
    let scheme = scheme_of(url)?;
    let rest = url[scheme.len() + 1..].strip_prefix("//")?;
    // Byte scans: the delimiters are ASCII, and `str::find` with a set of chars is
    // several times slower on every link of every list.
    let end = rest
        .as_bytes()
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The host of `scheme://[userinfo@]host[:port][/?#…]` as written (empty when absent),
/// or `None` when the URL has no `scheme://`.
fn authority_host(url: &str) -> Option<&str> {
    let authority = authority(url)?;
    let bytes = authority.as_bytes();
    let start = bytes.iter().position(|&b| b == b'@').map_or(0, |at| at + 1);
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b':')
        .map_or(bytes.len(), |colon| start + colon);
    Some(&authority[start..end])
}

/// The host of an `http://` or `https://` URL that the URL parser would accept with
/// that very host (up to letter case): a plain ASCII domain name whose last label is
/// not a number (that would be read as an IPv4 address), no IDNA label, no stray
/// characters, or an IPv4 address written as the parser writes it
/// ([`canonical_ipv4`]); and a valid port if any. `None` means "ask the parser"; most
/// links of a list take this path and skip a full parse (several thousand
/// instructions each, mostly the IDNA mapping of the host).
fn plain_http_host(url: &str) -> Option<&str> {
    let scheme = scheme_of(url)?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let host = authority_host(url)?;
    // One pass over the host: only letters, digits, `-` and `.`; a letter in the last
    // label; no `--` (which an IDNA `xn--` label has).
    let mut letter_in_label = false;
    let mut previous = 0u8;
    for b in host.bytes() {
        match b {
            b'.' => letter_in_label = false,
            b'-' if previous == b'-' => return None,
            b'-' => {}
            _ if b.is_ascii_alphabetic() => letter_in_label = true,
            _ if b.is_ascii_digit() => {}
            _ => return None,
        }
        previous = b;
    }
    if !letter_in_label && !canonical_ipv4(host) {
        return None;
    }
    // After the host: nothing, a path/query/fragment, or `:port` (digits, at most 65535).
    let end = host.as_ptr() as usize - url.as_ptr() as usize + host.len();
    let after = &url[end..];
    if let Some(port) = after.strip_prefix(':') {
        let port = &port[..port.find(['/', '?', '#']).unwrap_or(port.len())];
        if !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u32>().unwrap_or(0) > 65535 {
            return None;
        }
    } else if !(after.is_empty() || after.starts_with(['/', '?', '#'])) {
        return None;
    }
    Some(host)
}

/// Whether `host` is an IPv4 address as the URL parser writes one: four decimal
/// numbers up to 255, none with a leading zero (the parser reads `010` as octal and
/// `127.1` as `127.0.0.1`, so those are left to it).
fn canonical_ipv4(host: &str) -> bool {
    let mut parts = 0;
    for part in host.split('.') {
        parts += 1;
        let number = match part.as_bytes() {
            [b'0'] => true,
            [b'1'..=b'9', rest @ ..] => {
                rest.len() <= 2
                    && rest.iter().all(u8::is_ascii_digit)
                    && part.parse::<u16>().is_ok_and(|n| n <= 255)
            }
            _ => false,
        };
        if !number || parts > 4 {
            return false;
        }
    }
    parts == 4
}

/// Whether `haystack` contains `needle` (ASCII, lower case) in any letter case.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Checks an absolute http(s) URL; the error says what is wrong with it.
pub fn check_http_url(url: &str) -> Result<(), String> {
    if url.chars().any(char::is_whitespace) {
        return Err("URL contains whitespace".into());
    }
    // The host is judged before parsing: `aclanthology.2022.x.398` would otherwise be
    // rejected as a bad IPv4 address, which hides what is really wrong.
    if let Some(host) = authority_host(url) {
        let host = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(host.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(host)
        };
        let host = host.trim_end_matches('.');
        let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok() || host.starts_with('[');
        if host.is_empty() {
            return Err("URL has no host".into());
        }
        if !is_ip {
            match psl::suffix(host.as_bytes()) {
                // A host may itself be a public suffix (`s3-us-west-2.amazonaws.com`);
                // what matters is that it ends in a real top-level domain.
                Some(s) if s.is_known() && host.contains('.') => {}
                _ => return Err(format!("host `{host}` has no real top-level domain")),
            }
        }
    }
    if plain_http_host(url).is_none() {
        url::Url::parse(url).map_err(|e| format!("URL does not parse: {e}"))?;
    }
    Ok(())
}

/// What is wrong with a link target, or `None` when it can work. Relative links
/// (`figures/a.png`, `#section`) are fine: GitHub resolves them in the repository.
pub fn url_problem(url: &str) -> Option<String> {
    static TYPO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^(?:h?t{1,3}ps?|hh+ttps?|htt?s|http?s?s)$").unwrap());
    static NO_COLON: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^https?//").unwrap());
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    if let Some(scheme) = scheme_of(url) {
        if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
            if !url[scheme.len() + 1..].starts_with("//") {
                let scheme = scheme.to_ascii_lowercase();
                return Some(format!("`{scheme}:` is not followed by `//`"));
            }
            return check_http_url(url).err();
        }
        if TYPO.is_match(scheme) {
            return Some(format!("misspelt scheme `{scheme}:`"));
        }
        return None;
    }
    if NO_COLON.is_match(url) {
        return Some("the scheme lacks its colon (`https//`)".into());
    }
    if looks_like_domain(url) {
        return Some(
            "URL lacks `https://`, so GitHub treats it as a path inside the repository".into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_without_the_parser_agrees_with_it() {
        let hosts = [
            "https://example.org",
            "http://127.0.1.10:41687",
            "http://WWW.Example.ORG",
            "https://www.www.example.org:443",
            "http://example.org:8080",
            "https://user:pw@example.org",
        ];
        let tails = [
            "",
            "/",
            "/a/b/",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/.",
            "/a/..",
            "/%2e/x",
            "/a%2E%2e/b",
            "/a b",
            "/a%20b",
            "/ä",
            "/a\"b",
            "/a<b>",
            "/a`b",
            "/{x}",
            "/a\\b",
            "/a^b",
            "/a|b",
            "/[x]",
            "/a'b",
            "?",
            "?q=1",
            "/p?q=1&r=2#frag",
            "#only",
            "/p#f?g",
            "/p?q='x'",
            "/p?q=a b",
            "/~user/x.html",
            "/p;x=1",
            "/a:b@c",
            "/%zz",
            "/A/B",
        ];
        let mut fast = 0;
        for host in hosts {
            for tail in tails {
                let url = format!("{host}{tail}");
                if let Some(plain) = normalized_plain(&url) {
                    fast += 1;
                    assert_eq!(Some(plain), normalized_by_parser(&url), "{url}");
                }
                assert_eq!(
                    normalized_url(&url),
                    normalized_plain(&url).or_else(|| normalized_by_parser(&url))
                );
            }
        }
        assert!(fast > 60, "only {fast} URLs took the fast path");
        // Hosts the parser rewrites are left to it.
        for url in [
            "https://xn--bcher-kva.example/x",
            "https://bücher.example/x",
            "http://1.2.3.010/x",
            "http://127.1/x",
            "http://0x7f.0.0.1/x",
        ] {
            assert_eq!(normalized_plain(url), None, "{url}");
        }
    }

    #[test]
    fn the_quick_host_agrees_with_the_url_parser() {
        let urls = [
            "https://arxiv.org/abs/2301.00001",
            "HTTP://WWW.Example.COM:8080/a?b#c",
            "https://user:pw@github.com/x",
            "http://a.com:/x",
            "http://a.com:99999/x",
            "http://a.com:12ab/x",
            "http://127.1/x",
            "http://1.2.3.4",
            "http://1.2.3.4:8080/x",
            "http://0.0.0.0/",
            "http://255.255.255.255/",
            "http://256.1.1.1/",
            "http://1.2.3.04/",
            "http://1.2.3.4.5/",
            "http://1.2.3/",
            "http://1.2.3.4./",
            "http://0x7f.0.0.1/",
            "http://1.2.3.-4/",
            "https://example.com./x",
            "https://xn--nxasmq6b.com/",
            "https://exa%41mple.com/",
            "https://example.com\\path",
            "https://[::1]/x",
            "https://bücher.de/x",
            "ftp://example.com/x",
            "https://s3-us-west-2.amazonaws.com/x",
            "https://a_b.example.org/",
        ];
        for url in urls {
            let parsed = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string));
            if let Some(quick) = plain_http_host(url) {
                assert_eq!(Some(quick.to_ascii_lowercase()), parsed, "{url}");
            }
        }
        assert_eq!(
            plain_http_host("https://arxiv.org/abs/1"),
            Some("arxiv.org")
        );
        assert_eq!(plain_http_host("http://a.com:99999/x"), None);
        assert_eq!(plain_http_host("http://127.1/x"), None);
        assert_eq!(
            plain_http_host("http://127.0.1.10:41687/paper/1"),
            Some("127.0.1.10")
        );
        for rewritten in ["010.1.1.1", "1.2.3.256", "1.2.3", "1.2.3.4.5", "0x7f.0.0.1"] {
            assert!(!canonical_ipv4(rewritten), "{rewritten}");
        }
        assert_eq!(
            host("HTTPS://WWW.Example.COM/x").as_deref(),
            Some("example.com")
        );
    }

    #[test]
    fn reads_arxiv_ids_and_dois() {
        let cases = [
            (
                "https://arxiv.org/abs/2309.06419",
                Some(PaperRef::Arxiv("2309.06419".into())),
            ),
            (
                "https://arxiv.org/pdf/2309.06419v2.pdf",
                Some(PaperRef::Arxiv("2309.06419".into())),
            ),
            (
                "http://arxiv.org/abs/hep-th/9901001",
                Some(PaperRef::Arxiv("hep-th/9901001".into())),
            ),
            (
                "https://doi.org/10.48550/arXiv.2301.00001",
                Some(PaperRef::Arxiv("2301.00001".into())),
            ),
            (
                "https://doi.org/10.1093/bib/bbac409",
                Some(PaperRef::Doi("10.1093/bib/bbac409".into())),
            ),
            (
                "https://DX.doi.org/10.1145%2F3458754",
                Some(PaperRef::Doi("10.1145/3458754".into())),
            ),
            (
                "https://dl.acm.org/doi/abs/10.1145/3458754",
                Some(PaperRef::Doi("10.1145/3458754".into())),
            ),
            (
                "https://link.springer.com/chapter/10.1007/978-3-031-43907-0_39",
                Some(PaperRef::Doi("10.1007/978-3-031-43907-0_39".into())),
            ),
            (
                "https://www.nature.com/articles/s41591-023-02448-8",
                Some(PaperRef::Doi("10.1038/s41591-023-02448-8".into())),
            ),
            ("https://github.com/a/b", None),
        ];
        for (url, want) in cases {
            assert_eq!(paper_id(url), want, "{url}");
        }
    }

    #[test]
    fn repairs_broken_scholarly_hosts_and_schemes() {
        let cases = [
            (
                "https://aclanthology.2022.findings-emnlp.398/",
                Some("https://aclanthology.org/2022.findings-emnlp.398/"),
            ),
            (
                "https://aclanthology.2022.bionlp-1.9.pdf",
                Some("https://aclanthology.org/2022.bionlp-1.9.pdf"),
            ),
            (
                "https://arxiv.abs/2301.00001",
                Some("https://arxiv.org/abs/2301.00001"),
            ),
            (
                "htps://arxiv.org/abs/2301.00001",
                Some("https://arxiv.org/abs/2301.00001"),
            ),
            ("https//github.com/a/b", Some("https://github.com/a/b")),
            (
                "arxiv.org/abs/2301.00001",
                Some("https://arxiv.org/abs/2301.00001"),
            ),
            ("https://aclanthology.nonsense", None),
            ("README.md", None),
            ("figures/a.png", None),
        ];
        for (raw, want) in cases {
            assert_eq!(repair_url(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn well_formed_needs_a_public_suffix() {
        assert!(check_http_url("https://aclanthology.org/2022.x.1/").is_ok());
        assert!(check_http_url("http://127.0.0.1:8080/x").is_ok());
        let err = check_http_url("https://aclanthology.2022.bionlp-1.9.pdf").unwrap_err();
        assert_eq!(
            err,
            "host `aclanthology.2022.bionlp-1.9.pdf` has no real top-level domain"
        );
        assert!(check_http_url("https://aclanthology.2022.findings-emnlp.398/").is_err());
        assert!(check_http_url("https://a b.com").is_err());
    }

    #[test]
    fn identifies_papers_behind_urls() {
        let cases = [
            ("https://arxiv.org/abs/2309.06419", Some(PaperRef::Arxiv("2309.06419".into()))),
            ("https://export.arxiv.org/abs/hep-th/9901001v2", Some(PaperRef::Arxiv("hep-th/9901001".into()))),
            ("https://arxiv.org/html/2402.00001v1", Some(PaperRef::Arxiv("2402.00001".into()))),
            ("https://doi.org/10.48550/arXiv.2301.00001", Some(PaperRef::Arxiv("2301.00001".into()))),
            ("https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0033693", Some(PaperRef::Doi("10.1371/journal.pone.0033693".into()))),
            ("https://academic.oup.com/bioinformatics/article/36/4/1234/5566506", None),
            ("https://www.science.org/doi/10.1126/science.abj8754", Some(PaperRef::Doi("10.1126/science.abj8754".into()))),
            ("https://aclanthology.org/2022.emnlp-main.256.pdf", Some(PaperRef::Landing("https://aclanthology.org/2022.emnlp-main.256/".into()))),
            ("https://openreview.net/pdf?id=abc_DEF-1", Some(PaperRef::Landing("https://openreview.net/forum?id=abc_DEF-1".into()))),
            (
                "https://openaccess.thecvf.com/content/ICCV2023/papers/Liu_CLIP_ICCV_2023_paper.pdf",
                Some(PaperRef::Landing("https://openaccess.thecvf.com/content/ICCV2023/html/Liu_CLIP_ICCV_2023_paper.html".into())),
            ),
            (
                "https://proceedings.neurips.cc/paper/2020/file/1457c0d6bfcb4967418bfb8ac142f64a-Paper.pdf",
                Some(PaperRef::Landing("https://proceedings.neurips.cc/paper/2020/hash/1457c0d6bfcb4967418bfb8ac142f64a-Abstract.html".into())),
            ),
            ("https://proceedings.mlr.press/v139/radford21a/radford21a.pdf", Some(PaperRef::Landing("https://proceedings.mlr.press/v139/radford21a.html".into()))),
            ("https://dl.acm.org/doi/pdf/10.1145/3458754", Some(PaperRef::Doi("10.1145/3458754".into()))),
            ("https://dl.acm.org/doi/full/10.1145/3458754", Some(PaperRef::Doi("10.1145/3458754".into()))),
            ("https://onlinelibrary.wiley.com/doi/full/10.1002/mp.16000", Some(PaperRef::Doi("10.1002/mp.16000".into()))),
            ("https://www.tandfonline.com/doi/abs/10.1080/01621459.2020.1", Some(PaperRef::Doi("10.1080/01621459.2020.1".into()))),
            ("https://www.pnas.org/doi/10.1073/pnas.2016239118", Some(PaperRef::Doi("10.1073/pnas.2016239118".into()))),
            ("https://academic.oup.com/bib/article/23/6/bbac409/6713511?login=false", None),
            ("https://academic.oup.com/nar/doi/10.1093/nar/gkab1113", Some(PaperRef::Doi("10.1093/nar/gkab1113".into()))),
            ("https://link.springer.com/article/10.1007/s11263-021-01453-z", Some(PaperRef::Doi("10.1007/s11263-021-01453-z".into()))),
            ("https://www.nature.com/articles/s41586-023-06291-2.pdf", Some(PaperRef::Doi("10.1038/s41586-023-06291-2".into()))),
            // Proceedings pages that are their own landing page.
            (
                "http://openaccess.thecvf.com/content/ICCV2021/html/Liu_Swin_Transformer_ICCV_2021_paper.html",
                Some(PaperRef::Landing("https://openaccess.thecvf.com/content/ICCV2021/html/Liu_Swin_Transformer_ICCV_2021_paper.html".into())),
            ),
            (
                "https://openaccess.thecvf.com/content_cvpr_2016/html/He_Deep_Residual_Learning_CVPR_2016_paper.html",
                Some(PaperRef::Landing("https://openaccess.thecvf.com/content_cvpr_2016/html/He_Deep_Residual_Learning_CVPR_2016_paper.html".into())),
            ),
            (
                "https://www.ecva.net/papers/eccv_2022/papers_ECCV/html/1234_ECCV_2022_paper.php",
                Some(PaperRef::Landing("https://www.ecva.net/papers/eccv_2022/papers_ECCV/html/1234_ECCV_2022_paper.php".into())),
            ),
            ("https://papers.nips.cc/paper_files/paper/2020/file/1457c0d6bfcb4967418bfb8ac142f64a-Paper.pdf", Some(PaperRef::Landing("https://papers.nips.cc/paper_files/paper/2020/hash/1457c0d6bfcb4967418bfb8ac142f64a-Abstract.html".into()))),
            ("https://link.springer.com/chapter/abc-def", Some(PaperRef::Landing("https://link.springer.com/chapter/abc-def".into()))),
            ("https://aclanthology.org.evil.example/2022.emnlp-main.256.pdf", None),
            ("http://127.0.1.10:41687/paper/0", None),
            ("https://ojs.aaai.org/index.php/AAAI/article/view/29012", Some(PaperRef::Landing("https://ojs.aaai.org/index.php/AAAI/article/view/29012".into()))),
            ("https://ojs.aaai.org/index.php/AAAI/article/download/29012/30917", Some(PaperRef::Landing("https://ojs.aaai.org/index.php/AAAI/article/view/29012".into()))),
            ("https://www.ijcai.org/proceedings/2019/0509.pdf", Some(PaperRef::Landing("https://www.ijcai.org/proceedings/2019/509".into()))),
            ("https://www.ijcai.org/proceedings/2019/509", Some(PaperRef::Landing("https://www.ijcai.org/proceedings/2019/509".into()))),
            ("https://ieeexplore.ieee.org/abstract/document/9156697/", Some(PaperRef::Landing("https://ieeexplore.ieee.org/document/9156697/".into()))),
            ("https://ieeexplore.ieee.org/stamp/stamp.jsp?tp=&arnumber=9156697", Some(PaperRef::Landing("https://ieeexplore.ieee.org/document/9156697/".into()))),
            ("https://link.springer.com/chapter/10.1007/978-3-319-24574-4_28", Some(PaperRef::Doi("10.1007/978-3-319-24574-4_28".into()))),
            ("https://dl.acm.org/doi/abs/10.1145/3600006.3613165", Some(PaperRef::Doi("10.1145/3600006.3613165".into()))),
            ("https://scholar.archive.org/?q=arxiv.org/abs/2301.00001", Some(PaperRef::Arxiv("2301.00001".into()))),
            ("https://github.com/a/b", None),
        ];
        for (url, want) in cases {
            assert_eq!(identify(url), want, "{url}");
        }
    }
}
