//! Commit objects and the `Name <email> seconds +HHMM` signatures inside them.
//!
//! The byte layout is git's:
//!
//! ```text
//! tree <hex>\n
//! parent <hex>\n          (zero or more)
//! author <signature>\n
//! committer <signature>\n
//! \n
//! <message>
//! ```
//!
//! **Message convention.** [`Commit::encode`] writes the message as `git commit-tree -m` does:
//! a non-empty message that lacks a final newline gets one, an empty message stays empty. So
//! `Commit { message: "Upload model".into(), .. }.oid()` equals the id `git commit-tree -m
//! "Upload model"` prints. [`Commit::decode`] keeps the message verbatim (final newline
//! included) and refuses any body it could not re-encode byte for byte, so that a decoded
//! commit's [`Commit::oid`] is always the id of the bytes it came from.

use commonhold_types::GitOid;

use crate::error::GitError;
use crate::object::{ObjectKind, hash_object};

/// Who made a commit and when. `time` is Unix seconds; `tz_minutes` the UTC offset in minutes
/// (east positive), which git records alongside the instant, e.g. `+0130` is 90.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    pub name: String,
    pub email: String,
    pub time: i64,
    pub tz_minutes: i32,
}

impl Signature {
    /// Appends `Name <email> seconds +HHMM`. The delimiters `<`, `>` and newlines (and NUL) are
    /// dropped from name and email, as git itself drops them, so that no user-supplied name can
    /// forge a header or break the line.
    fn encode_into(&self, out: &mut String) {
        push_without_delimiters(out, &self.name);
        out.push_str(" <");
        push_without_delimiters(out, &self.email);
        out.push_str("> ");
        out.push_str(&self.time.to_string());
        out.push(' ');
        out.push_str(&format_tz(self.tz_minutes));
    }

    /// Parses `Name <email> seconds +HHMM` (the text after `author ` / `committer `).
    fn decode(text: &str) -> Result<Signature, GitError> {
        let bad = || GitError::Signature(text.chars().take(200).collect());
        let (name_part, rest) = text.split_once('<').ok_or_else(bad)?;
        let name = name_part.strip_suffix(' ').ok_or_else(bad)?;
        let (email, rest) = rest.split_once('>').ok_or_else(bad)?;
        let rest = rest.strip_prefix(' ').ok_or_else(bad)?;
        let (time, tz) = rest.split_once(' ').ok_or_else(bad)?;
        let time = parse_decimal_i64(time).ok_or_else(bad)?;
        let tz_minutes = parse_tz(tz).ok_or_else(bad)?;
        Ok(Signature {
            name: name.to_string(),
            email: email.to_string(),
            time,
            tz_minutes,
        })
    }
}

fn push_without_delimiters(out: &mut String, s: &str) {
    out.extend(s.chars().filter(|c| !matches!(c, '<' | '>' | '\n' | '\0')));
}

/// `+HHMM` / `-HHMM`. Offsets beyond ±99:59 are clamped: git's format has no room for them.
fn format_tz(tz_minutes: i32) -> String {
    let sign = if tz_minutes < 0 { '-' } else { '+' };
    let abs = tz_minutes.unsigned_abs().min(99 * 60 + 59);
    format!("{sign}{:02}{:02}", abs / 60, abs % 60)
}

fn parse_tz(s: &str) -> Option<i32> {
    let (sign, digits) = match s.as_bytes().first()? {
        b'+' => (1, s.get(1..)?),
        b'-' => (-1, s.get(1..)?),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits.get(2..)?.parse().ok()?;
    Some(sign * (hours * 60 + minutes))
}

/// Decimal seconds with an optional minus sign and nothing else (Rust's `parse` would also take `+`).
fn parse_decimal_i64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A commit. Extra headers that git can carry (`gpgsig`, `encoding`, `mergetag`) are not
/// modelled: commonhold writes none, and [`Commit::decode`] refuses them rather than
/// silently losing them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Commit {
    pub tree: GitOid,
    pub parents: Vec<GitOid>,
    pub author: Signature,
    pub committer: Signature,
    pub message: String,
}

impl Commit {
    /// The object body, as git would store it (see the module docs for the message convention).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = String::with_capacity(256 + self.message.len());
        out.push_str("tree ");
        out.push_str(&self.tree.to_hex());
        out.push('\n');
        for parent in &self.parents {
            out.push_str("parent ");
            out.push_str(&parent.to_hex());
            out.push('\n');
        }
        out.push_str("author ");
        self.author.encode_into(&mut out);
        out.push_str("\ncommitter ");
        self.committer.encode_into(&mut out);
        out.push_str("\n\n");
        out.push_str(&self.message);
        if !self.message.is_empty() && !self.message.ends_with('\n') {
            out.push('\n');
        }
        out.into_bytes()
    }

    /// Parses a commit body. Refuses anything [`Commit::encode`] would not reproduce exactly.
    pub fn decode(body: &[u8]) -> Result<Commit, GitError> {
        let text = std::str::from_utf8(body).map_err(|_| GitError::CommitNotUtf8)?;
        let (headers, message) = text.split_once("\n\n").ok_or(GitError::CommitNoMessage)?;
        if !message.is_empty() && !message.ends_with('\n') {
            return Err(GitError::CommitMessageUnterminated);
        }
        let mut tree = None;
        let mut parents = Vec::new();
        let mut author = None;
        let mut committer = None;
        for line in headers.split('\n') {
            let header_error = |reason| GitError::CommitHeader {
                line: line.chars().take(200).collect(),
                reason,
            };
            let (key, value) = line
                .split_once(' ')
                .ok_or_else(|| header_error("no value"))?;
            match key {
                "tree" if tree.is_none() => tree = Some(parse_oid(value)?),
                "parent" if tree.is_some() && author.is_none() => parents.push(parse_oid(value)?),
                "author" if tree.is_some() && author.is_none() => {
                    author = Some(Signature::decode(value)?)
                }
                "committer" if author.is_some() && committer.is_none() => {
                    committer = Some(Signature::decode(value)?)
                }
                "tree" | "parent" | "author" | "committer" => {
                    return Err(header_error("repeated or out of order"));
                }
                _ => {
                    return Err(header_error(
                        "unsupported header (gpgsig, encoding, ... are not kept)",
                    ));
                }
            }
        }
        let commit = Commit {
            tree: tree.ok_or(GitError::CommitMissing("tree"))?,
            parents,
            author: author.ok_or(GitError::CommitMissing("author"))?,
            committer: committer.ok_or(GitError::CommitMissing("committer"))?,
            message: message.to_string(),
        };
        if commit.encode() != body {
            return Err(GitError::CommitHeader {
                line: headers.chars().take(200).collect(),
                reason: "not in git's canonical form (spacing, zero padding or time zone)",
            });
        }
        Ok(commit)
    }

    /// The first line of the message: what the Hub shows as the commit title.
    pub fn title(&self) -> &str {
        self.message.split('\n').next().unwrap_or_default()
    }

    /// The commit's git id.
    pub fn oid(&self) -> GitOid {
        hash_object(ObjectKind::Commit, &self.encode())
    }
}

/// Ids inside objects are written in lower case; anything else would not round-trip.
pub(crate) fn parse_oid(s: &str) -> Result<GitOid, GitError> {
    let lower = s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    match GitOid::from_hex(s) {
        Ok(oid) if lower => Ok(oid),
        _ => Err(GitError::Oid(s.chars().take(80).collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(tz: i32) -> Signature {
        Signature {
            name: "A U Thor".into(),
            email: "a@example.org".into(),
            time: 1_700_000_000,
            tz_minutes: tz,
        }
    }

    fn commit(message: &str) -> Commit {
        Commit {
            tree: GitOid([0x4b; 20]),
            parents: vec![GitOid([1; 20])],
            author: sig(90),
            committer: sig(-300),
            message: message.into(),
        }
    }

    #[test]
    fn layout_and_time_zones() {
        let body = String::from_utf8(commit("Title\n\nBody").encode()).unwrap();
        assert_eq!(
            body,
            format!(
                "tree {}\nparent {}\nauthor A U Thor <a@example.org> 1700000000 +0130\n\
                 committer A U Thor <a@example.org> 1700000000 -0500\n\nTitle\n\nBody\n",
                "4b".repeat(20),
                "01".repeat(20)
            )
        );
    }

    #[test]
    fn decode_round_trips_and_keeps_message_verbatim() {
        for msg in ["", "one\n", "Title\n\nBody line\nmore\n", "ends\n\n"] {
            let c = commit(msg);
            assert_eq!(Commit::decode(&c.encode()).unwrap(), c, "{msg:?}");
        }
        let unterminated = commit("no newline");
        assert_eq!(
            Commit::decode(&unterminated.encode()).unwrap().message,
            "no newline\n"
        );
        assert_eq!(commit("Title\n\nBody").title(), "Title");
        assert_eq!(commit("").title(), "");
    }

    #[test]
    fn delimiters_cannot_forge_headers() {
        let mut c = commit("x");
        c.author.name = "Eve <evil>\nparent 00".into();
        let decoded = Commit::decode(&c.encode()).unwrap();
        assert_eq!(decoded.author.name, "Eve evilparent 00");
        assert_eq!(decoded.parents.len(), 1);
    }

    #[test]
    fn refuses_what_it_cannot_reproduce() {
        let good = String::from_utf8(commit("m\n").encode()).unwrap();
        let cases = [
            good.replace("\n\nm\n", "\n\nm"),
            good.replace("+0130", "+130"),
            good.replace("-0500", "-05:00"),
            good.replace("1700000000 +", "+1700000000 +"),
            good.replace("committer", "encoding UTF-8\ncommitter"),
            good.replace("Thor <a", "Thor<a"),
            good.replace(&"4b".repeat(20), &"4B".repeat(20)),
            good.replace("\n\n", "\n"),
            good.replacen("tree", "parent", 1),
            format!("tree {}\n{good}", "4b".repeat(20)),
        ];
        for case in cases {
            assert!(Commit::decode(case.as_bytes()).is_err(), "{case:?}");
        }
        assert_eq!(Commit::decode(b"\xff"), Err(GitError::CommitNotUtf8));
        assert!(matches!(
            Commit::decode(b"tree x\n\n"),
            Err(GitError::Oid(_))
        ));
        assert_eq!(
            Commit::decode(format!("tree {}\n\nm\n", "4b".repeat(20)).as_bytes()),
            Err(GitError::CommitMissing("author"))
        );
    }
}
