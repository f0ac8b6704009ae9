//! Numbers written out in French words, as people and ASRs spell them.

/// How the words of a compound number are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordStyle {
    /// `vingt et un`, `quatre-vingt-dix`, `deux cent cinquante`.
    Traditional,
    /// Every join a hyphen (1990 spelling): `vingt-et-un`, `deux-cent-cinquante`.
    Hyphens,
    /// Every join a space, as ASRs often write: `quatre vingt dix`.
    Spaces,
}

const UNITS: [&str; 17] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize",
];

/// `n` (0 to 9 999) in French words; `feminine` gives `une` for a final one.
/// Traditional spelling uses `-` inside tens and spaces elsewhere.
pub fn int_to_words(n: u32, feminine: bool, style: WordStyle) -> String {
    let n = n.min(9_999);
    let mut s = if n == 0 {
        "zéro".to_string()
    } else {
        let (thousands, rest) = (n / 1000, n % 1000);
        let mut parts = Vec::new();
        match thousands {
            0 => {}
            1 => parts.push("mille".to_string()),
            t => parts.push(format!("{} mille", below_1000(t, false))),
        }
        if rest > 0 {
            parts.push(below_1000(rest, true));
        }
        parts.join(" ")
    };
    if feminine && (s == "un" || s.ends_with(" un") || s.ends_with("-un")) {
        s.push('e');
    }
    match style {
        WordStyle::Traditional => s,
        WordStyle::Hyphens => s.replace(' ', "-"),
        WordStyle::Spaces => s.replace('-', " "),
    }
}

fn below_1000(n: u32, last: bool) -> String {
    let (h, r) = (n / 100, n % 100);
    let mut parts = Vec::new();
    match h {
        0 => {}
        1 => parts.push("cent".to_string()),
        h if r == 0 && last => parts.push(format!("{} cents", UNITS[h as usize])),
        h => parts.push(format!("{} cent", UNITS[h as usize])),
    }
    if r > 0 {
        parts.push(below_100(r, last && h == 0));
    }
    parts.join(" ")
}

fn below_100(n: u32, last: bool) -> String {
    if n < 17 {
        return UNITS[n as usize].to_string();
    }
    if n < 20 {
        return format!("dix-{}", UNITS[(n - 10) as usize]);
    }
    let (t, u) = (n / 10, n % 10);
    match t {
        2..=6 => {
            let base = [
                "",
                "",
                "vingt",
                "trente",
                "quarante",
                "cinquante",
                "soixante",
            ][t as usize];
            match u {
                0 => base.to_string(),
                1 => format!("{base} et un"),
                u => format!("{base}-{}", UNITS[u as usize]),
            }
        }
        7 if u == 1 => "soixante et onze".to_string(),
        7 => format!("soixante-{}", below_100(10 + u, false)),
        8 if u == 0 => if last {
            "quatre-vingts"
        } else {
            "quatre-vingt"
        }
        .to_string(),
        8 => format!("quatre-vingt-{}", UNITS[u as usize]),
        _ => format!("quatre-vingt-{}", below_100(10 + u, false)),
    }
}
