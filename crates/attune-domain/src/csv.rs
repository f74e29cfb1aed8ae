//! Writing CSV that a spreadsheet opens safely: the one encoder every CSV the product writes
//! goes through (reports now, exports later).
//!
//! A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken by
//! Excel, LibreOffice and Google Sheets for a formula (`=HYPERLINK(…)`, `@SUM(…)`, DDE
//! payloads). As OWASP recommends, such a value is prefixed with a single quote `'`, which the
//! spreadsheet shows as text, and the field is quoted. Whether a cell is a number is decided by
//! its type ([`Cell::Number`]), never by its first character: `-3.5` from a numeric column stays
//! `-3.5`, while the text `-3.5` (an attribute someone typed) becomes `'-3.5`. Fields holding a
//! comma, a quote, CR or LF are quoted and their quotes doubled (RFC 4180).

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One cell of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text from anywhere (names, attribute values, dates): neutralised when it could be read
    /// as a formula.
    Text(String),
    /// A number, already formatted (`12`, `-3.5`, `1.2e-5`). Anything that is not a plain
    /// decimal literal is written as text, so a mislabelled value cannot slip a formula past.
    Number(String),
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    /// A number cell.
    pub fn number(n: impl std::fmt::Display) -> Self {
        Self::Number(n.to_string())
    }

    /// The cell as written before any CSV encoding (what a terminal table shows).
    pub fn raw(&self) -> &str {
        match self {
            Self::Text(s) | Self::Number(s) => s,
        }
    }
}

/// Whether `s` is a plain decimal literal: optional sign, digits with an optional fraction,
/// optional exponent. `inf`, `NaN` and `-x` are not.
pub fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The value a text cell is written with: prefixed with `'` when it starts like a formula.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// One encoded field: neutralised when text, quoted when it holds a separator, a quote, CR or
/// LF, or when it was neutralised.
pub fn field(cell: &Cell) -> Cow<'_, str> {
    let (value, neutralised) = match cell {
        Cell::Number(n) if is_number(n) => (Cow::Borrowed(n.as_str()), false),
        Cell::Text(s) | Cell::Number(s) => {
            let v = neutralise(s);
            let changed = matches!(v, Cow::Owned(_));
            (v, changed)
        }
    };
    if neutralised || value.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
    } else {
        value
    }
}

/// Appends one row (fields joined by commas, ended by `\n`).
pub fn write_row(out: &mut String, cells: &[Cell]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(c));
    }
    out.push('\n');
}

/// A whole document: the header row (text) and the rows.
pub fn document(header: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = String::new();
    let header: Vec<Cell> = header.iter().map(|h| Cell::text(*h)).collect();
    write_row(&mut out, &header);
    for r in rows {
        write_row(&mut out, r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_back(csv: &str) -> Vec<Vec<String>> {
        ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .from_reader(csv.as_bytes())
            .records()
            .map(|r| {
                r.expect("well-formed CSV")
                    .iter()
                    .map(str::to_owned)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn formula_starts_are_prefixed_and_quoted() {
        for (raw, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("@SUM(1)", "\"'@SUM(1)\""),
            ("+1", "\"'+1\""),
            ("-3.5", "\"'-3.5\""),
            ("\t=1", "\"'\t=1\""),
            ("\r=1", "\"'\r=1\""),
            ("ਸੇਵਾ ਬਹੁਤ ਵਧੀਆ", "ਸੇਵਾ ਬਹੁਤ ਵਧੀਆ"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(field(&Cell::text(raw)), want, "{raw:?}");
        }
    }

    #[test]
    fn numbers_stay_numbers_by_type_not_by_first_character() {
        for n in ["-3.5", "+2", "0", "12.50", "1.2e-5", "-7E+3", ".5", "5."] {
            assert_eq!(field(&Cell::Number(n.into())), n);
        }
        assert_eq!(field(&Cell::number(-42)), "-42");
        assert_eq!(field(&Cell::number(-0.25)), "-0.25");
        // A "number" that is not one is written as text.
        for fake in ["-1+1", "=1", "-inf", "NaN", "-", "1e", "@1", "1,5"] {
            assert!(!is_number(fake), "{fake}");
            let cell = Cell::Number(fake.into());
            let f = field(&cell);
            assert!(
                !f.trim_start_matches('"').starts_with(FORMULA_STARTS),
                "{fake}: {f}"
            );
        }
    }

    #[test]
    fn separators_quotes_and_line_breaks_are_quoted_per_rfc_4180() {
        assert_eq!(field(&Cell::text("a, \"b\"")), "\"a, \"\"b\"\"\"");
        assert_eq!(field(&Cell::text("line\nnext")), "\"line\nnext\"");
        assert_eq!(field(&Cell::text("cr\rlf")), "\"cr\rlf\"");
        let doc = document(
            &["value", "n"],
            &[
                vec![Cell::text("a\r\nb"), Cell::number(-1)],
                vec![Cell::text("=1+1"), Cell::number(2.5)],
            ],
        );
        assert_eq!(
            read_back(&doc),
            [["value", "n"], ["a\r\nb", "-1"], ["'=1+1", "2.5"]]
        );
    }

    proptest! {
        #[test]
        fn any_text_reads_back_neutralised_and_never_as_a_formula(
            texts in proptest::collection::vec(any::<String>(), 1..4),
            n in any::<f64>().prop_filter("finite", |x| x.is_finite()),
        ) {
            // A leading number keeps a byte-order mark in the first text from being read as
            // the file's BOM.
            let mut row = vec![Cell::number(0)];
            row.extend(texts.iter().cloned().map(Cell::Text));
            row.push(Cell::number(n));
            let mut doc = String::new();
            write_row(&mut doc, &row);
            let back = read_back(&doc);
            prop_assert_eq!(back.len(), 1);
            let back = &back[0];
            prop_assert_eq!(back.len(), row.len());
            for (t, got) in texts.iter().zip(&back[1..]) {
                prop_assert_eq!(got, &neutralise(t).into_owned());
                prop_assert!(!got.starts_with(FORMULA_STARTS), "{:?}", got);
            }
            prop_assert_eq!(back[texts.len() + 1].parse::<f64>().ok(), Some(n));
        }

        #[test]
        fn formula_characters_anywhere_in_the_text_survive(
            head in prop::sample::select(FORMULA_STARTS.to_vec()),
            tail in "[=+@,\"\r\n\t a-zਸੇਵਾ]{0,12}",
        ) {
            let t = format!("{head}{tail}");
            let mut doc = String::new();
            write_row(&mut doc, &[Cell::Text(t.clone()), Cell::number(1)]);
            let back = read_back(&doc);
            prop_assert_eq!(&back[0][0], &format!("'{t}"));
        }
    }
}
