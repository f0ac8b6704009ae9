//! Gold spans -> one BIO tag per token.

use speechtimer_core::values::Entity;
use speechtimer_nlu::tags;
use speechtimer_nlu::tokenize::Token;

/// The tag path of `tokens` for `entities`, or `None` when a span does not
/// fall on token boundaries (the example cannot be learned as tokenized).
pub fn tag_path(tokens: &[Token], entities: &[Entity]) -> Option<Vec<usize>> {
    let mut path = vec![tags::O; tokens.len()];
    for e in entities {
        let inside: Vec<usize> = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.start < e.end && t.end > e.start)
            .map(|(i, _)| i)
            .collect();
        let (&first, &last) = (inside.first()?, inside.last()?);
        if tokens[first].start != e.start || tokens[last].end != e.end {
            return None;
        }
        for (n, &i) in inside.iter().enumerate() {
            if path[i] != tags::O {
                return None;
            }
            path[i] = if n == 0 {
                tags::begin(e.label)
            } else {
                tags::inside(e.label)
            };
        }
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use speechtimer_core::values::Label;

    fn tok(start: usize, end: usize) -> Token {
        Token {
            id: 0,
            chars: vec![],
            start,
            end,
        }
    }

    #[test]
    fn spans_become_bio() {
        // "vingt-cinq s" -> vingt, -, cinq, s
        let tokens = [tok(0, 5), tok(5, 6), tok(6, 10), tok(11, 12)];
        let e = Entity::new(0, 10, Label::DurationWtSd, "vingt-cinq");
        let p = tag_path(&tokens, &[e]).unwrap();
        let b = tags::begin(Label::DurationWtSd);
        let i = tags::inside(Label::DurationWtSd);
        assert_eq!(p, vec![b, i, i, tags::O]);
        // a span ending inside a token cannot be learned
        let bad = Entity::new(0, 3, Label::NbRounds, "vin");
        assert_eq!(tag_path(&tokens, &[bad]), None);
    }
}
