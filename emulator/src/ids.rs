//! Random identifiers in the shapes AWS uses.

use rand::Rng;

const NANOID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// A nanoid: `A-Za-z0-9_-`, as the validator makes codes (10) and order ids (21).
pub fn nanoid(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| NANOID_ALPHABET[rng.gen_range(0..NANOID_ALPHABET.len())] as char)
        .collect()
}

/// A random v4 UUID, lower-case.
pub fn uuid() -> String {
    let b: [u8; 16] = rand::thread_rng().gen();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
        (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
        u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
    )
}

/// `len` characters from `alphabet`.
pub fn token(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// A six-digit one-time code.
pub fn six_digits() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand::thread_rng().fill(&mut out[..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let code = nanoid(10);
        assert_eq!(code.len(), 10);
        assert!(code.bytes().all(|b| NANOID_ALPHABET.contains(&b)));
        let id = uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(six_digits().len(), 6);
    }
}
