//! Finding the keys among a command's arguments with Redis's key specs.
//!
//! This follows the server's own `getKeysUsingKeySpecs`, so the irregular commands need
//! no special cases: `EVAL script numkeys k1 k2 ...` (a key-number spec),
//! `XREAD ... STREAMS k1 k2 id1 id2` (a keyword spec whose range is half of what
//! follows), `MIGRATE ... KEYS k1 k2`, `ZUNIONSTORE dst numkeys k1 k2`, ...

use crate::table::{BeginSearch, CommandInfo, FindKeys};

/// The argument indexes (0 is the name) that hold keys, in order, without repeats.
///
/// Where Redis 7.0's key specs are incomplete, the server falls back to a hand-written
/// key finder for the command; so do we: `SORT`/`SORT_RO` (the `STORE` target can be
/// anywhere) and `MIGRATE` (the `KEYS` form leaves the single-key argument empty).
pub(crate) fn key_positions(info: &CommandInfo, args: &[&[u8]]) -> Vec<usize> {
    match info.name {
        "SORT" | "SORT_RO" => return sort_keys(args),
        "MIGRATE" => return migrate_keys(args),
        _ => {}
    }
    let argc = args.len() as isize;
    let mut out: Vec<usize> = Vec::new();
    // A subcommand's arguments are indexed from the container's name, as in Redis.
    for spec in info.key_specs {
        let first = match spec.begin_search {
            BeginSearch::Index(i) => i as isize,
            BeginSearch::Keyword {
                keyword,
                start_from,
            } => {
                let (start, end) = if start_from > 0 {
                    (start_from, argc - 1)
                } else {
                    (argc + start_from, 0)
                };
                let mut found = None;
                let mut i = start;
                loop {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if args[i as usize].eq_ignore_ascii_case(keyword.as_bytes()) {
                        found = Some(i + 1);
                        break;
                    }
                    if i == end {
                        break;
                    }
                    i += if start <= end { 1 } else { -1 };
                }
                match found {
                    Some(first) => first,
                    None => continue,
                }
            }
            BeginSearch::Unknown => continue,
        };
        let (first, last, step) = match spec.find_keys {
            FindKeys::Range {
                last_key,
                step,
                limit,
            } => {
                let last = if last_key >= 0 {
                    first + last_key
                } else if limit <= 1 {
                    argc + last_key
                } else {
                    first + ((argc - first) / limit as isize + last_key)
                };
                (first, last, step.max(1) as isize)
            }
            FindKeys::KeyNum {
                key_num_idx,
                first_key,
                step,
            } => {
                let Some(count) = args
                    .get((first + key_num_idx as isize) as usize)
                    .and_then(|n| std::str::from_utf8(n).ok())
                    .and_then(|n| n.parse::<isize>().ok())
                    .filter(|n| *n >= 0)
                else {
                    continue;
                };
                let first = first + first_key as isize;
                (first, first + count - 1, step.max(1) as isize)
            }
            FindKeys::Unknown => continue,
        };
        let mut i = first;
        while i <= last {
            if i < 1 || i >= argc {
                // Too few arguments: the server will answer with an arity error.
                break;
            }
            out.push(i as usize);
            i += step;
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Redis's `sortGetKeys`: the key at 1, and the last `STORE` target, skipping the
/// arguments of `LIMIT` (2), `GET` (1) and `BY` (1).
fn sort_keys(args: &[&[u8]]) -> Vec<usize> {
    let mut keys = Vec::with_capacity(2);
    if args.len() < 2 {
        return keys;
    }
    keys.push(1);
    let mut store = None;
    let mut i = 2;
    while i < args.len() {
        let arg = args[i];
        if arg.eq_ignore_ascii_case(b"LIMIT") {
            i += 2;
        } else if arg.eq_ignore_ascii_case(b"GET") || arg.eq_ignore_ascii_case(b"BY") {
            i += 1;
        } else if arg.eq_ignore_ascii_case(b"STORE") && i + 1 < args.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    keys.extend(store.filter(|&s| s != 1));
    keys
}

/// Redis's `migrateGetKeys`: the key at 3, or, in the extended form, every argument
/// after `KEYS`, skipping the arguments of `AUTH` (1) and `AUTH2` (2) so that a password
/// that reads `KEYS` is not taken for the keyword.
fn migrate_keys(args: &[&[u8]]) -> Vec<usize> {
    let mut i = 6;
    while i < args.len() {
        let arg = args[i];
        if arg.eq_ignore_ascii_case(b"KEYS") {
            return (i + 1..args.len()).collect();
        } else if arg.eq_ignore_ascii_case(b"AUTH") {
            i += 1;
        } else if arg.eq_ignore_ascii_case(b"AUTH2") {
            i += 2;
        }
        i += 1;
    }
    if args.len() > 3 {
        vec![3]
    } else {
        Vec::new()
    }
}
