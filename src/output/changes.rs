//! `scout watch`'s change list: what a reload or an edited candidate list did to the top N,
//! one aligned line per candidate whose place, tier or score changed.

use crate::changes::{Changes, Move, Standing};

/// The changes as text: one line per candidate whose place, tier or score changed in the
/// top N.
pub fn render(changes: &Changes) -> String {
    let top = changes.top;
    if changes.is_empty() {
        return format!("no change in the top {top}\n");
    }
    let rows: Vec<[String; 6]> = changes.movements.iter().map(|m| change_row(m, top)).collect();
    let mut widths = [0usize; 6];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = format!("changes in the top {top}:\n");
    for row in &rows {
        let mut line = String::from(" ");
        for (cell, width) in row.iter().zip(widths) {
            if width == 0 {
                continue;
            }
            line.push(' ');
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 1));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    crate::text::printable_lines(&text).into_owned()
}

/// `[move, handle, ranks, score, tier, note]` for one movement.
fn change_row(m: &Move, top: usize) -> [String; 6] {
    let place = |s: &Standing| s.rank.map_or_else(|| "–".to_owned(), |r| format!("#{r}"));
    let score = |s: &Standing| s.score.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"));
    let arrow = match m.places_up() {
        Some(d) if d > 0 => format!("↑{d}"),
        Some(d) if d < 0 => format!("↓{}", -d),
        Some(_) => "=".to_owned(),
        None if m.after.rank.is_some() => "new".to_owned(),
        None => "out".to_owned(),
    };
    let delta = match m.score_delta() {
        Some(d) if d != 0.0 => format!(" ({d:+.2})"),
        _ => String::new(),
    };
    let tier = m.tier_change().map_or_else(String::new, |(from, to)| format!("{from} → {to}"));
    let note = if m.entered(top) {
        format!("entered the top {top}")
    } else if m.left(top) {
        let reasons = &m.after.filtered;
        if !reasons.is_empty() {
            format!("left the top {top}: filtered ({})", reasons.join("; "))
        } else if m.after.rank.is_none() {
            format!("left the top {top}: not ranked")
        } else {
            format!("left the top {top}")
        }
    } else {
        String::new()
    };
    [
        arrow,
        format!("@{}", crate::text::printable(&m.handle)),
        format!("{} → {}", place(&m.before), place(&m.after)),
        format!("{} → {}{delta}", score(&m.before), score(&m.after)),
        tier,
        note,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(rank: usize, score: f64, tier: &str) -> Standing {
        Standing::ranked(rank, score, tier)
    }

    #[test]
    fn renders_moves_tiers_entries_and_exits() {
        let movement = |handle: &str, before, after| Move {
            handle: handle.to_owned(),
            platform: Some("instagram".to_owned()),
            line: 2,
            before,
            after,
        };
        let changes = Changes {
            top: 3,
            from_revision: "aaa".to_owned(),
            to_revision: "bbb".to_owned(),
            movements: vec![
                movement("glossy.graham", standing(4, 70.0, "micro"), standing(1, 74.5, "micro")),
                movement("ana_k", standing(1, 75.0, "micro"), standing(2, 71.25, "mid")),
                movement("minimal.mara", standing(3, 69.0, "nano"), standing(3, 69.5, "nano")),
                movement(
                    "velvet.vanity",
                    standing(2, 72.0, "micro"),
                    Standing::filtered(vec!["tier `mid` not in [nano, micro]".to_owned()]),
                ),
            ],
        };
        insta::assert_snapshot!(render(&changes), @r"
        changes in the top 3:
          ↑3   @glossy.graham  #4 → #1  70.00 → 74.50 (+4.50)               entered the top 3
          ↓1   @ana_k          #1 → #2  75.00 → 71.25 (-3.75)  micro → mid
          =    @minimal.mara   #3 → #3  69.00 → 69.50 (+0.50)
          out  @velvet.vanity  #2 → –   72.00 → –                           left the top 3: filtered (tier `mid` not in [nano, micro])
        ");
    }

    #[test]
    fn says_when_nothing_changed() {
        let changes = Changes {
            top: 10,
            from_revision: "a".to_owned(),
            to_revision: "b".to_owned(),
            movements: Vec::new(),
        };
        assert_eq!(render(&changes), "no change in the top 10\n");
    }
}
