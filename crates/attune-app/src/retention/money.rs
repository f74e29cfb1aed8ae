//! Money amounts as written in files and requests.

/// Money as written in files and requests (`500`, `500.0`, `12.5`, `-3.99`, `1,234.50` is not
/// accepted) to integer cents, exactly (no floating point); more than two decimals round half
/// away from zero.
pub fn parse_cents(raw: &str) -> Option<i64> {
    let s = raw.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if (whole.is_empty() && frac.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let digits: Vec<i64> = frac.bytes().map(|b| i64::from(b - b'0')).collect();
    let mut cents = digits.first().copied().unwrap_or(0) * 10 + digits.get(1).copied().unwrap_or(0);
    if digits.get(2).copied().unwrap_or(0) >= 5 {
        cents += 1;
    }
    let v = whole.checked_mul(100)?.checked_add(cents)?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::parse_cents;

    #[test]
    fn money_becomes_exact_cents() {
        assert_eq!(parse_cents("500.0"), Some(50_000));
        assert_eq!(parse_cents("300"), Some(30_000));
        assert_eq!(parse_cents("11.77"), Some(1_177));
        assert_eq!(parse_cents(" 0.5 "), Some(50));
        assert_eq!(parse_cents("-3.99"), Some(-399));
        assert_eq!(parse_cents("1.005"), Some(101));
        assert_eq!(parse_cents(".25"), Some(25));
        assert_eq!(parse_cents(""), None);
        assert_eq!(parse_cents("12a"), None);
        assert_eq!(parse_cents("1,5"), None);
    }
}
