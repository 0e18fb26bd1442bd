//! Finding the keys among a command's arguments with Redis's key specs.
//!
//! This follows the server's own `getKeysUsingKeySpecs`, so the irregular commands need
//! no special cases: `EVAL script numkeys k1 k2 ...` (a key-number spec),
//! `XREAD ... STREAMS k1 k2 id1 id2` (a keyword spec whose range is half of what
//! follows), `MIGRATE ... KEYS k1 k2`, `ZUNIONSTORE dst numkeys k1 k2`, ...

use crate::table::{BeginSearch, CommandInfo, FindKeys};

/// The argument indexes (0 is the name) that hold keys, in order, without repeats.
pub(crate) fn key_positions(info: &CommandInfo, args: &[&[u8]]) -> Vec<usize> {
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
