//! BIO tags over every label (the guide's seven and docs/annotation.md's fifteen), and the transitions a BIO path allows.

use speechtimer_core::values::Label;

/// Number of tags: O, then B-x and I-x for each label.
pub const NUM_TAGS: usize = 1 + 2 * Label::ALL.len();
/// The outside tag.
pub const O: usize = 0;

/// `B-label`.
pub fn begin(label: Label) -> usize {
    1 + 2 * label_index(label)
}

/// `I-label`.
pub fn inside(label: Label) -> usize {
    2 + 2 * label_index(label)
}

fn label_index(label: Label) -> usize {
    Label::ALL
        .iter()
        .position(|l| *l == label)
        .expect("every label is in Label::ALL")
}

/// The label of a B or I tag; `None` for O.
pub fn label_of(tag: usize) -> Option<Label> {
    if tag == O || tag >= NUM_TAGS {
        None
    } else {
        Some(Label::ALL[(tag - 1) / 2])
    }
}

/// Whether `tag` is an `I-` tag.
pub fn is_inside(tag: usize) -> bool {
    tag != O && tag < NUM_TAGS && (tag - 1) % 2 == 1
}

/// `B-nb_rounds`, `I-duration_wt_sd`, `O`.
pub fn name(tag: usize) -> String {
    match label_of(tag) {
        None => "O".to_string(),
        Some(l) if is_inside(tag) => format!("I-{}", l.as_str()),
        Some(l) => format!("B-{}", l.as_str()),
    }
}

/// Whether `to` may follow `from`: `I-x` only after `B-x` or `I-x`.
pub fn allowed(from: usize, to: usize) -> bool {
    !is_inside(to) || (from != O && label_of(from) == label_of(to))
}

/// Whether a path may start with `tag` (not with an I).
pub fn allowed_start(tag: usize) -> bool {
    !is_inside(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_their_labels() {
        assert_eq!(NUM_TAGS, 45);
        assert_eq!(name(O), "O");
        assert_eq!(name(begin(Label::NbRounds)), "B-nb_rounds");
        assert_eq!(name(inside(Label::DurationBrHr)), "I-duration_br_hr");
        for l in Label::ALL {
            assert_eq!(label_of(begin(l)), Some(l));
            assert_eq!(label_of(inside(l)), Some(l));
            assert!(allowed(begin(l), inside(l)));
            assert!(allowed(inside(l), inside(l)));
            assert!(!allowed(O, inside(l)));
            assert!(!allowed_start(inside(l)));
        }
        assert!(!allowed(
            begin(Label::NbRounds),
            inside(Label::DurationWtSd)
        ));
    }
}
