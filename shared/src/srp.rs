//! Cognito's flavour of SRP-6a for `USER_SRP_AUTH` (contract §2.2): the client side for
//! the apps and the server side for the emulator, sharing the group and the hashes.
//!
//! The published Cognito SRP crates read the clock and pull in `regex` and `chrono`
//! (too big for the apps, and `SystemTime::now()` panics in wasm32), so this is written
//! over `num-bigint`, `sha2` and `hkdf`; the tests check it against `aws-cognito-srp`.
//! Callers pass in randomness and the time.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use crate::time::UtcDateTime;

/// The 3072-bit group of RFC 5054, generator 2.
const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/// HKDF info string Cognito uses to derive the 16-byte password key.
const KEY_INFO: &[u8] = b"Caldera Derived Key";

struct Group {
    n: BigUint,
    g: BigUint,
    /// k = H(pad(N) ‖ pad(g)).
    k: BigUint,
}

fn group() -> &'static Group {
    static GROUP: OnceLock<Group> = OnceLock::new();
    GROUP.get_or_init(|| {
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("the group constant is hex");
        let g = BigUint::from(2u8);
        let k = BigUint::from_bytes_be(&hash(&[&pad(&n), &pad(&g)]));
        Group { n, g, k }
    })
}

/// Why an SRP exchange could not go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    #[error("the server sent an invalid {0}")]
    BadChallenge(&'static str),
    #[error("the client sent an invalid {0}")]
    BadClaim(&'static str),
    #[error("the user pool id has no `_`")]
    BadPoolId,
}

/// Big-endian bytes with a leading zero byte when the top bit is set, as Cognito's
/// `padHex` makes them (a positive two's-complement number).
pub fn pad(n: &BigUint) -> Vec<u8> {
    let bytes = n.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        let mut padded = Vec::with_capacity(bytes.len() + 1);
        padded.push(0);
        padded.extend_from_slice(&bytes);
        padded
    } else {
        bytes
    }
}

fn hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

fn parse_hex(text: &str) -> Option<BigUint> {
    if text.is_empty() || text.len() > 2048 {
        return None;
    }
    BigUint::parse_bytes(text.as_bytes(), 16)
}

/// The part of a user pool id after `_`.
pub fn pool_name(user_pool_id: &str) -> Result<&str, SrpError> {
    user_pool_id
        .split_once('_')
        .map(|(_, name)| name)
        .ok_or(SrpError::BadPoolId)
}

/// u = H(pad(A) ‖ pad(B)).
fn compute_u(a_pub: &BigUint, b_pub: &BigUint) -> BigUint {
    BigUint::from_bytes_be(&hash(&[&pad(a_pub), &pad(b_pub)]))
}

/// x = H(pad(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).
fn compute_x(pool_name: &str, user_id: &str, password: &str, salt: &BigUint) -> BigUint {
    let inner = hash(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    BigUint::from_bytes_be(&hash(&[&pad(salt), &inner]))
}

/// The 16-byte key both sides derive from the shared secret S.
fn derive_key(s: &BigUint, u: &BigUint) -> [u8; 16] {
    let hk = Hkdf::<Sha256>::new(Some(&pad(u)), &pad(s));
    let mut key = [0u8; 16];
    hk.expand(KEY_INFO, &mut key)
        .expect("16 bytes is a valid HKDF length");
    key
}

/// HMAC(key, poolName ‖ userId ‖ secretBlock ‖ timestamp).
fn claim_mac(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in [
        pool_name.as_bytes(),
        user_id.as_bytes(),
        secret_block,
        timestamp.as_bytes(),
    ] {
        mac.update(part);
    }
    mac
}

/// The challenge parameters of `PASSWORD_VERIFIER`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordVerifier {
    pub salt_hex: String,
    pub srp_b_hex: String,
    pub secret_block: String,
    pub user_id_for_srp: String,
}

/// What the client answers to `PASSWORD_VERIFIER`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordClaim {
    pub user_id_for_srp: String,
    pub timestamp: String,
    pub secret_block: String,
    pub signature: String,
}

/// The client's half: a secret `a` and `A = g^a`.
pub struct SrpClient {
    a: BigUint,
    a_pub: BigUint,
}

impl SrpClient {
    /// `random` must come from a cryptographic source (`crypto.getRandomValues`).
    pub fn new(random: &[u8; 128]) -> Self {
        let Group { n, g, .. } = group();
        let mut a = BigUint::from_bytes_be(random) % n;
        if a == BigUint::ZERO {
            a = BigUint::from(1u8);
        }
        let a_pub = g.modpow(&a, n);
        Self { a, a_pub }
    }

    /// `SRP_A` for `InitiateAuth`.
    pub fn srp_a(&self) -> String {
        self.a_pub.to_str_radix(16)
    }

    /// Proves knowledge of the password for the challenge, at `now_ms`.
    pub fn claim(
        &self,
        user_pool_id: &str,
        password: &str,
        challenge: &PasswordVerifier,
        now_ms: i64,
    ) -> Result<PasswordClaim, SrpError> {
        let Group { n, g, k } = group();
        let pool = pool_name(user_pool_id)?;
        let b_pub = parse_hex(&challenge.srp_b_hex).ok_or(SrpError::BadChallenge("SRP_B"))?;
        if &b_pub % n == BigUint::ZERO {
            return Err(SrpError::BadChallenge("SRP_B"));
        }
        let salt = parse_hex(&challenge.salt_hex).ok_or(SrpError::BadChallenge("SALT"))?;
        let secret_block = BASE64
            .decode(&challenge.secret_block)
            .map_err(|_| SrpError::BadChallenge("SECRET_BLOCK"))?;
        let u = compute_u(&self.a_pub, &b_pub);
        if u == BigUint::ZERO {
            return Err(SrpError::BadChallenge("SRP_B"));
        }
        let user_id = &challenge.user_id_for_srp;
        let x = compute_x(pool, user_id, password, &salt);
        // S = (B - k·g^x) ^ (a + u·x) mod N, kept non-negative.
        let kgx = (k * g.modpow(&x, n)) % n;
        let base = ((&b_pub % n) + n - kgx) % n;
        let s = base.modpow(&(&self.a + &u * &x), n);
        let key = derive_key(&s, &u);
        let timestamp = UtcDateTime::from_epoch_ms(now_ms).cognito_timestamp();
        let mac = claim_mac(&key, pool, user_id, &secret_block, &timestamp);
        Ok(PasswordClaim {
            user_id_for_srp: user_id.clone(),
            timestamp,
            secret_block: challenge.secret_block.clone(),
            signature: BASE64.encode(mac.finalize().into_bytes()),
        })
    }
}

/// What the server keeps for a user instead of the password.
#[cfg(feature = "server")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verifier {
    pub salt_hex: String,
    pub verifier_hex: String,
}

#[cfg(feature = "server")]
impl Verifier {
    /// v = g^x for a new password; `salt` must be random.
    pub fn new(
        user_pool_id: &str,
        user_id: &str,
        password: &str,
        salt: &[u8; 16],
    ) -> Result<Self, SrpError> {
        let Group { n, g, .. } = group();
        let salt = BigUint::from_bytes_be(salt);
        let x = compute_x(pool_name(user_pool_id)?, user_id, password, &salt);
        Ok(Self {
            salt_hex: salt.to_str_radix(16),
            verifier_hex: g.modpow(&x, n).to_str_radix(16),
        })
    }
}

/// The server's half for one sign-in: a secret `b` and `B = k·v + g^b`.
#[cfg(feature = "server")]
pub struct SrpServer {
    b: BigUint,
    b_pub: BigUint,
    v: BigUint,
}

#[cfg(feature = "server")]
impl SrpServer {
    pub fn new(verifier: &Verifier, random: &[u8; 128]) -> Result<Self, SrpError> {
        let Group { n, g, k } = group();
        let v = parse_hex(&verifier.verifier_hex).ok_or(SrpError::BadClaim("verifier"))?;
        let b = BigUint::from_bytes_be(random) % n;
        let b_pub = (k * &v + g.modpow(&b, n)) % n;
        Ok(Self { b, b_pub, v })
    }

    /// `SRP_B` for the `PASSWORD_VERIFIER` challenge.
    pub fn srp_b(&self) -> String {
        self.b_pub.to_str_radix(16)
    }

    /// Checks the client's claim. `srp_a_hex` is the `SRP_A` of `InitiateAuth`.
    pub fn verify(
        &self,
        user_pool_id: &str,
        srp_a_hex: &str,
        claim: &PasswordClaim,
    ) -> Result<bool, SrpError> {
        let Group { n, .. } = group();
        let a_pub = parse_hex(srp_a_hex).ok_or(SrpError::BadClaim("SRP_A"))?;
        if &a_pub % n == BigUint::ZERO {
            return Err(SrpError::BadClaim("SRP_A"));
        }
        let secret_block = BASE64
            .decode(&claim.secret_block)
            .map_err(|_| SrpError::BadClaim("PASSWORD_CLAIM_SECRET_BLOCK"))?;
        let signature = BASE64
            .decode(&claim.signature)
            .map_err(|_| SrpError::BadClaim("PASSWORD_CLAIM_SIGNATURE"))?;
        let u = compute_u(&a_pub, &self.b_pub);
        // S = (A · v^u) ^ b mod N.
        let s = (a_pub * self.v.modpow(&u, n) % n).modpow(&self.b, n);
        let key = derive_key(&s, &u);
        let mac = claim_mac(
            &key,
            pool_name(user_pool_id)?,
            &claim.user_id_for_srp,
            &secret_block,
            &claim.timestamp,
        );
        Ok(mac.verify_slice(&signature).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: &str = "us-east-1_Serverlesspresso";

    fn bytes<const N: usize>(seed: u8) -> [u8; N] {
        std::array::from_fn(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
    }

    #[cfg(feature = "server")]
    fn challenge(server: &SrpServer, verifier: &Verifier, user: &str) -> PasswordVerifier {
        PasswordVerifier {
            salt_hex: verifier.salt_hex.clone(),
            srp_b_hex: server.srp_b(),
            secret_block: BASE64.encode(bytes::<48>(9)),
            user_id_for_srp: user.into(),
        }
    }

    #[cfg(feature = "server")]
    #[test]
    fn our_client_and_server_agree_on_the_right_password_only() {
        let verifier = Verifier::new(POOL, "ana@example.com", "s3cret!", &bytes(1)).unwrap();
        let server = SrpServer::new(&verifier, &bytes(2)).unwrap();
        let client = SrpClient::new(&bytes(3));
        let c = challenge(&server, &verifier, "ana@example.com");
        let good = client
            .claim(POOL, "s3cret!", &c, 1_678_179_901_000)
            .unwrap();
        assert_eq!(good.timestamp, "Tue Mar 7 09:05:01 UTC 2023");
        assert_eq!(server.verify(POOL, &client.srp_a(), &good), Ok(true));
        let bad = client
            .claim(POOL, "s3cret?", &c, 1_678_179_901_000)
            .unwrap();
        assert_eq!(server.verify(POOL, &client.srp_a(), &bad), Ok(false));
        let mut tampered = good.clone();
        tampered.timestamp = "Tue Mar 7 09:05:02 UTC 2023".into();
        assert_eq!(server.verify(POOL, &client.srp_a(), &tampered), Ok(false));
    }

    /// The independent `aws-cognito-srp` client, which is tested against real Cognito,
    /// signs in against our server.
    #[cfg(feature = "server")]
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn independent_client_is_accepted_by_our_server() {
        use aws_cognito_srp::{SrpClient as Reference, User};
        for (user, password) in [
            ("ana@example.com", "s3cret!"),
            ("bob", "another password 123"),
        ] {
            let verifier = Verifier::new(POOL, user, password, &bytes(7)).unwrap();
            let server = SrpServer::new(&verifier, &bytes(8)).unwrap();
            let reference = Reference::new(User::new(POOL, user, password), "client", None);
            let srp_a = reference.get_auth_parameters().a;
            let c = challenge(&server, &verifier, user);
            let proof = reference
                .verify(&c.secret_block, user, &c.salt_hex, &c.srp_b_hex)
                .unwrap();
            let claim = PasswordClaim {
                user_id_for_srp: user.into(),
                timestamp: proof.timestamp,
                secret_block: c.secret_block.clone(),
                signature: proof.password_claim_signature,
            };
            assert_eq!(server.verify(POOL, &srp_a, &claim), Ok(true), "{user}");
            let wrong = Reference::new(User::new(POOL, user, "nope"), "client", None);
            let wrong_a = wrong.get_auth_parameters().a;
            let proof = wrong
                .verify(&c.secret_block, user, &c.salt_hex, &c.srp_b_hex)
                .unwrap();
            let claim = PasswordClaim {
                signature: proof.password_claim_signature,
                timestamp: proof.timestamp,
                ..claim
            };
            assert_eq!(server.verify(POOL, &wrong_a, &claim), Ok(false));
        }
    }

    #[test]
    fn pad_adds_a_zero_only_when_the_top_bit_is_set() {
        assert_eq!(pad(&BigUint::from(0x7fu8)), vec![0x7f]);
        assert_eq!(pad(&BigUint::from(0x80u8)), vec![0, 0x80]);
        assert_eq!(pad(&BigUint::ZERO), vec![0]);
    }

    #[test]
    fn bad_challenges_are_errors() {
        let client = SrpClient::new(&bytes(3));
        let mut c = PasswordVerifier {
            salt_hex: "ab".into(),
            srp_b_hex: "0".into(),
            secret_block: "AAAA".into(),
            user_id_for_srp: "u".into(),
        };
        assert_eq!(
            client.claim(POOL, "p", &c, 0),
            Err(SrpError::BadChallenge("SRP_B"))
        );
        c.srp_b_hex = N_HEX.into();
        assert_eq!(
            client.claim(POOL, "p", &c, 0),
            Err(SrpError::BadChallenge("SRP_B"))
        );
        c.srp_b_hex = "zz".into();
        assert_eq!(
            client.claim(POOL, "p", &c, 0),
            Err(SrpError::BadChallenge("SRP_B"))
        );
        c.srp_b_hex = "1234".into();
        c.secret_block = "not base64!".into();
        assert_eq!(
            client.claim(POOL, "p", &c, 0),
            Err(SrpError::BadChallenge("SECRET_BLOCK"))
        );
        assert_eq!(client.claim("nopool", "p", &c, 0), Err(SrpError::BadPoolId));
    }
}
