//! Certificates as signed, machine-readable credentials: an Open Badges 3.0
//! `OpenBadgeCredential` in the W3C Verifiable Credentials 2.0 shape, secured with a Data
//! Integrity proof of the `eddsa-jcs-2022` cryptosuite (Ed25519 over JCS-canonical JSON).
//!
//! The issuer is named by a `did:key`, which carries its public key: anyone can check a
//! credential offline with nothing but the file (`hocvuso verify FILE`). Whether the issuer is
//! this province is a separate question: [`Verified::issuer`] is compared with the keys this
//! installation has issued with. Whether a certificate was revoked is known only online (the
//! verify page), since a file cannot change after it is handed out.
//!
//! Proof (W3C "Data Integrity EdDSA Cryptosuites v1.0", eddsa-jcs-2022): the proof options
//! (every proof field but `proofValue`, with the document's `@context`) and the document
//! without its proof are each canonicalised (RFC 8785) and hashed with SHA-256; the signature
//! covers the two hashes, options first, and is written base58btc with the multibase `z`.

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

pub const CONTEXT_VC2: &str = "https://www.w3.org/ns/credentials/v2";
pub const CONTEXT_OB3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// Multicodec prefix of an Ed25519 public key (0xed, varint-encoded).
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// What a certificate credential says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The verify page of the certificate (`…/chung-nhan/<code>`): the credential's id.
    pub id: String,
    pub issuer_name: String,
    pub issuer_url: String,
    pub learner_name: String,
    pub course_url: String,
    pub course_title: String,
    pub course_summary: String,
    /// Competence codes (Thông tư 02/2025/TT-BGDĐT) the course builds.
    pub competences: Vec<String>,
    pub issued_at: DateTime<Utc>,
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The `did:key` of an Ed25519 public key.
pub fn did_key(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    format!("did:key:z{}", bs58::encode(bytes).into_string())
}

/// The public key a `did:key` (or one of its verification methods, `did:key:z…#z…`) names.
pub fn key_of_did(did: &str) -> Result<VerifyingKey, VerifyError> {
    let did = did.split('#').next().unwrap_or(did);
    let encoded = did
        .strip_prefix("did:key:z")
        .ok_or_else(|| VerifyError::Format(format!("người cấp \"{did}\" không phải did:key")))?;
    let bytes = bs58::decode(encoded)
        .into_vec()
        .map_err(|_| VerifyError::Format("khóa công khai của người cấp hỏng".into()))?;
    let raw: [u8; 32] = bytes
        .strip_prefix(&ED25519_PUB)
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| VerifyError::Format("người cấp không dùng khóa Ed25519".into()))?;
    let key = VerifyingKey::from_bytes(&raw)
        .map_err(|_| VerifyError::Format("khóa công khai của người cấp không hợp lệ".into()))?;
    // A small-order key (the identity point and its kin) is "signed" by anything.
    if key.is_weak() {
        return Err(VerifyError::Format(
            "khóa công khai của người cấp là khóa yếu (bậc nhỏ), không dùng được để ký".into(),
        ));
    }
    Ok(key)
}

/// The unsigned credential.
pub fn credential(claim: &Claim, issuer_did: &str) -> Value {
    let alignment: Vec<Value> = claim
        .competences
        .iter()
        .filter_map(|code| {
            hocvuso_domain::competence::name_of(code).map(|name| {
                json!({
                    "type": ["Alignment"],
                    "targetCode": code,
                    "targetName": name,
                    "targetFramework": "Khung năng lực số (Thông tư 02/2025/TT-BGDĐT)",
                    "targetType": "CFItem",
                    // The course that teaches it.
                    "targetUrl": claim.course_url,
                })
            })
        })
        .collect();
    let mut achievement = json!({
        "id": claim.course_url,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": claim.course_title,
        "description": claim.course_summary,
        "criteria": {
            "narrative": "Học hết các bài của khóa học và đạt bài kiểm tra cuối khóa."
        },
        "inLanguage": "vi",
    });
    if !alignment.is_empty() {
        achievement["alignment"] = Value::Array(alignment);
    }
    json!({
        "@context": [CONTEXT_VC2, CONTEXT_OB3],
        "id": claim.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("Chứng nhận hoàn thành khóa học “{}”", claim.course_title),
        "issuer": {
            "id": issuer_did,
            "type": ["Profile"],
            "name": claim.issuer_name,
            "url": claim.issuer_url,
        },
        "validFrom": timestamp(claim.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": claim.learner_name,
            "achievement": achievement,
        },
    })
}

/// RFC 8785 (JCS) canonical JSON of the values this module writes: object members sorted by
/// key, no whitespace, strings escaped as ECMAScript does. Numbers are integers here (JCS
/// writes other numbers in ECMAScript's shortest form, which serde_json's integers already are).
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            // JCS orders keys by their UTF-16 code units.
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(x) = m.get(k) {
                    write_canonical(x, out);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        // serde_json writes strings, numbers, booleans and null as JCS does.
        other => out.push_str(&other.to_string()),
    }
}

/// The bytes an `eddsa-jcs-2022` signature covers.
fn signing_input(document: &Map<String, Value>, proof_options: &Map<String, Value>) -> Vec<u8> {
    let mut options = proof_options.clone();
    if let Some(ctx) = document.get("@context") {
        options.insert("@context".into(), ctx.clone());
    }
    let mut data = Sha256::digest(canonical(&Value::Object(options)).as_bytes()).to_vec();
    data.extend_from_slice(&Sha256::digest(
        canonical(&Value::Object(document.clone())).as_bytes(),
    ));
    data
}

/// Adds an `eddsa-jcs-2022` proof made with `key` at `created`.
pub fn sign(document: Value, key: &SigningKey, created: DateTime<Utc>) -> Value {
    let Value::Object(mut doc) = document else {
        return document;
    };
    doc.remove("proof");
    let did = did_key(&key.verifying_key());
    let method = format!("{did}#{}", did.trim_start_matches("did:key:"));
    let mut proof = Map::new();
    proof.insert("type".into(), json!("DataIntegrityProof"));
    proof.insert("cryptosuite".into(), json!(CRYPTOSUITE));
    proof.insert("created".into(), json!(timestamp(created)));
    proof.insert("verificationMethod".into(), json!(method));
    proof.insert("proofPurpose".into(), json!("assertionMethod"));
    let signature = key.sign(&signing_input(&doc, &proof));
    proof.insert(
        "proofValue".into(),
        json!(format!(
            "z{}",
            bs58::encode(signature.to_bytes()).into_string()
        )),
    );
    doc.insert("proof".into(), Value::Object(proof));
    Value::Object(doc)
}

/// Why a credential is not valid, in Vietnamese (shown on the verify page and printed by
/// `hocvuso verify`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("Tệp không phải chứng nhận số hợp lệ: {0}.")]
    Format(String),
    #[error("Chữ ký số không khớp: nội dung chứng nhận đã bị sửa sau khi cấp, hoặc chữ ký không phải của người cấp ghi trong tệp.")]
    Signature,
}

/// What a valid credential says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The `did:key` that signed (the issuer).
    pub issuer: String,
    pub issuer_name: String,
    pub id: String,
    pub learner_name: String,
    pub course_title: String,
    pub valid_from: String,
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Result<&'a str, VerifyError> {
    let mut cur = v;
    for p in path {
        cur = cur
            .get(p)
            .ok_or_else(|| VerifyError::Format(format!("thiếu trường \"{}\"", path.join("."))))?;
    }
    cur.as_str()
        .ok_or_else(|| VerifyError::Format(format!("trường \"{}\" phải là chữ", path.join("."))))
}

fn has_type(v: &Value, wanted: &str) -> bool {
    match v.get("type") {
        Some(Value::String(s)) => s == wanted,
        Some(Value::Array(a)) => a.iter().any(|t| t.as_str() == Some(wanted)),
        _ => false,
    }
}

/// Checks a credential's shape and its proof, offline.
pub fn verify(raw: &[u8]) -> Result<Verified, VerifyError> {
    // serde_json keeps the last of two equal keys; a reader that keeps the first would see
    // another credential than the one whose signature was checked.
    no_duplicate_keys(raw).map_err(VerifyError::Format)?;
    let value: Value =
        serde_json::from_slice(raw).map_err(|e| VerifyError::Format(json_error(&e)))?;
    let Value::Object(mut doc) = value else {
        return Err(VerifyError::Format(
            "nội dung không phải một đối tượng JSON".into(),
        ));
    };
    let Some(Value::Object(mut proof)) = doc.remove("proof") else {
        return Err(VerifyError::Format("không có chữ ký số (proof)".into()));
    };
    let document = Value::Object(doc.clone());
    let contexts = document.get("@context").and_then(Value::as_array);
    if contexts.and_then(|c| c.first()).and_then(Value::as_str) != Some(CONTEXT_VC2) {
        return Err(VerifyError::Format(
            "không theo mẫu W3C Verifiable Credentials 2.0".into(),
        ));
    }
    if !has_type(&document, "VerifiableCredential") || !has_type(&document, "OpenBadgeCredential") {
        return Err(VerifyError::Format(
            "không phải chứng nhận Open Badges 3.0".into(),
        ));
    }
    let proof_value = Value::Object(proof.clone());
    if text(&proof_value, &["type"])? != "DataIntegrityProof"
        || text(&proof_value, &["cryptosuite"])? != CRYPTOSUITE
    {
        return Err(VerifyError::Format(format!(
            "chữ ký số không theo chuẩn {CRYPTOSUITE}"
        )));
    }
    if text(&proof_value, &["proofPurpose"])? != "assertionMethod" {
        return Err(VerifyError::Format(
            "mục đích của chữ ký số không đúng".into(),
        ));
    }
    let method = text(&proof_value, &["verificationMethod"])?.to_owned();
    let issuer = text(&document, &["issuer", "id"])
        .or_else(|_| text(&document, &["issuer"]))?
        .to_owned();
    if method.split('#').next() != Some(issuer.as_str()) {
        return Err(VerifyError::Format(
            "chữ ký số không phải của người cấp ghi trong tệp".into(),
        ));
    }
    let key = key_of_did(&issuer)?;
    let signature = text(&proof_value, &["proofValue"])?
        .strip_prefix('z')
        .and_then(|s| bs58::decode(s).into_vec().ok())
        .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or_else(|| VerifyError::Format("chữ ký số hỏng".into()))?;
    proof.remove("proofValue");
    // Strict: no small-order components, no non-canonical encodings.
    key.verify_strict(&signing_input(&doc, &proof), &signature)
        .map_err(|_| VerifyError::Signature)?;
    Ok(Verified {
        issuer,
        issuer_name: text(&document, &["issuer", "name"])
            .unwrap_or("")
            .to_owned(),
        id: text(&document, &["id"])?.to_owned(),
        learner_name: text(&document, &["credentialSubject", "name"])?.to_owned(),
        course_title: text(&document, &["credentialSubject", "achievement", "name"])?.to_owned(),
        valid_from: text(&document, &["validFrom"])?.to_owned(),
    })
}

/// Refuses a JSON document in which some object names a key twice (anywhere in it).
pub fn no_duplicate_keys(raw: &[u8]) -> Result<(), String> {
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

    /// Any JSON value, read only to check its objects' keys.
    struct Checked;

    impl<'de> Deserialize<'de> for Checked {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(CheckedVisitor)
        }
    }

    struct CheckedVisitor;

    impl<'de> Visitor<'de> for CheckedVisitor {
        type Value = Checked;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_unit<E>(self) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
            while seq.next_element::<Checked>()?.is_some() {}
            Ok(Checked)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key.clone()) {
                    return Err(serde::de::Error::custom(format!(
                        "khóa \"{key}\" ghi hai lần trong cùng một đối tượng"
                    )));
                }
                map.next_value::<Checked>()?;
            }
            Ok(Checked)
        }
    }

    let mut de = serde_json::Deserializer::from_slice(raw);
    Checked::deserialize(&mut de).map_err(|e| json_error(&e))?;
    de.end().map_err(|e| json_error(&e))
}

/// A JSON reading error in Vietnamese, with where it is (serde's own words are English).
fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "nội dung bị cắt ngang".to_owned(),
        Category::Syntax | Category::Io => "nội dung không đúng cú pháp JSON".to_owned(),
        // Our own messages (a repeated key), without serde's English position.
        Category::Data => {
            let text = e.to_string();
            text.rsplit_once(" at line ")
                .map_or(text.clone(), |(m, _)| m.to_owned())
        }
    };
    format!(
        "không đọc được JSON: {what} (dòng {}, cột {})",
        e.line(),
        e.column()
    )
}

/// What a file is when it is plainly not a credential (a PDF, a picture, an office document):
/// the explanation to give instead of calling it invalid.
pub fn not_a_credential(raw: &[u8]) -> Option<&'static str> {
    macro_rules! explain {
        ($what:literal) => {
            concat!(
                $what,
                ", không phải tệp chứng nhận số (.json). Để kiểm tra giấy chứng nhận: quét mã QR in \
                 trên giấy bằng camera điện thoại, hoặc nhập mã chứng nhận ở trang Tra cứu chứng \
                 nhận (/chung-nhan); hoặc tải lên tệp chứng nhận số (.json) tải về từ trang chứng nhận."
            )
        };
    }
    let start = raw.trim_ascii_start();
    if start.starts_with(b"%PDF-") {
        Some(explain!("Đây là tệp PDF của giấy chứng nhận (bản để in)"))
    } else if start.starts_with(b"\x89PNG") || start.starts_with(b"\xFF\xD8\xFF") {
        Some(explain!("Đây là một tấm ảnh"))
    } else if start.starts_with(b"PK\x03\x04") {
        Some(explain!("Đây là một tệp nén hoặc văn bản Word, Excel"))
    } else {
        None
    }
}

/// What an offline check of a credential file concludes, given the issuer trusted (the
/// `--issuer` given, or the province's did:key from the configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offline {
    /// Signed by the trusted issuer, unchanged.
    Valid(Verified),
    /// The signature holds, but no issuer is trusted: anyone can sign with their own key.
    UnknownIssuer(Verified),
    /// The signature holds, but the signer is not the trusted issuer.
    OtherIssuer {
        verified: Verified,
        trusted: String,
    },
    Invalid(VerifyError),
}

/// Checks a credential file offline against the trusted issuer, if any.
pub fn check_offline(raw: &[u8], trusted: Option<&str>) -> Offline {
    let verified = match verify(raw) {
        Ok(v) => v,
        Err(e) => return Offline::Invalid(e),
    };
    match trusted.map(str::trim).filter(|t| !t.is_empty()) {
        None => Offline::UnknownIssuer(verified),
        Some(t) if t == verified.issuer => Offline::Valid(verified),
        Some(t) => Offline::OtherIssuer {
            verified,
            trusted: t.to_owned(),
        },
    }
}

/// The certificate code at the end of a credential's id (`…/chung-nhan/<code>`).
pub fn code_of(id: &str) -> Option<&str> {
    let code = id.rsplit_once("/chung-nhan/")?.1;
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric())).then_some(code)
}

/// The alphabet of certificate codes (Crockford's base 32: no I, L, O or U, which look like
/// 1, 1, 0 and V).
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// How many characters of a certificate's code the short code keeps (55 bits: unguessable at
/// the lookup's rate limits, unique in practice among millions).
const SHORT_LEN: usize = 11;

/// The check character of a short code's characters (Luhn mod 32: any one character mistyped,
/// and most neighbours swapped, are caught).
fn check_char(values: &[usize]) -> char {
    let n = CODE_ALPHABET.len();
    let mut factor = 2;
    let mut sum = 0;
    for v in values.iter().rev() {
        let addend = factor * v;
        sum += addend / n + addend % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    CODE_ALPHABET[(n - sum % n) % n] as char
}

/// The code people type and read aloud: the first 11 characters of a certificate's code and a
/// check character, in capitals, in groups of four (`7K3M-PQX9-T2AB`). The whole code stays in
/// the link and the QR code.
pub fn short_code(code: &str) -> String {
    let values: Vec<usize> = code
        .chars()
        .take(SHORT_LEN)
        .filter_map(|c| {
            CODE_ALPHABET
                .iter()
                .position(|a| *a as char == c.to_ascii_uppercase())
        })
        .collect();
    let mut chars: Vec<char> = values.iter().map(|v| CODE_ALPHABET[*v] as char).collect();
    chars.push(check_char(&values));
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A certificate's whole code as it may arrive in a URL or a form: letters and digits only,
/// in lower case, at most 64 of them (the code has 32).
pub fn clean_code(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .take(64)
        .collect()
}

/// A short code as typed (any case, spaces or dashes; O read as 0, I and L as 1): the start of
/// the certificate's code it names, in lower case. `None` when it is not a short code — and
/// `Some(Err)` when it has the length of one but its check character does not match (a
/// character mistyped).
pub fn parse_short_code(typed: &str) -> Option<Result<String, ()>> {
    let cleaned: Vec<char> = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    if cleaned.len() != SHORT_LEN + 1 {
        return None;
    }
    let values: Option<Vec<usize>> = cleaned
        .iter()
        .map(|c| CODE_ALPHABET.iter().position(|a| *a as char == *c))
        .collect();
    let values = values?;
    let (body, check) = values.split_at(SHORT_LEN);
    if check_char(body) != CODE_ALPHABET[check[0]] as char {
        return Some(Err(()));
    }
    Some(Ok(body
        .iter()
        .map(|v| (CODE_ALPHABET[*v] as char).to_ascii_lowercase())
        .collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn claim() -> Claim {
        Claim {
            id: "https://hocvuso.example.vn/chung-nhan/abc123".into(),
            issuer_name: "Sở Khoa học và Công nghệ tỉnh Lâm Đồng".into(),
            issuer_url: "https://hocvuso.example.vn".into(),
            learner_name: "Nguyễn Thị Hoà".into(),
            course_url: "https://hocvuso.example.vn/khoa-hoc/ky-nang-so-co-ban".into(),
            course_title: "Kỹ năng số cơ bản".into(),
            course_summary: "Khóa học ngắn.".into(),
            competences: vec!["4.2".into(), "2.6".into()],
            issued_at: Utc
                .with_ymd_and_hms(2026, 12, 4, 3, 0, 0)
                .single()
                .unwrap_or_default(),
        }
    }

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn signed() -> Value {
        let k = key(7);
        sign(
            credential(&claim(), &did_key(&k.verifying_key())),
            &k,
            claim().issued_at,
        )
    }

    #[test]
    fn a_signed_credential_verifies_and_says_what_it_certifies() {
        let v = signed();
        let raw = serde_json::to_vec_pretty(&v).unwrap_or_default();
        let ok = verify(&raw);
        let Ok(ok) = ok else {
            panic!("{ok:?}");
        };
        assert_eq!(ok.learner_name, "Nguyễn Thị Hoà");
        assert_eq!(ok.course_title, "Kỹ năng số cơ bản");
        assert_eq!(ok.issuer, did_key(&key(7).verifying_key()));
        assert!(ok.issuer.starts_with("did:key:z6Mk"), "{}", ok.issuer);
        assert_eq!(code_of(&ok.id), Some("abc123"));
        assert_eq!(v["proof"]["cryptosuite"], "eddsa-jcs-2022");
        assert_eq!(
            v["credentialSubject"]["achievement"]["alignment"][0]["targetCode"],
            "4.2"
        );
    }

    #[test]
    fn key_order_and_whitespace_do_not_matter_but_every_change_does() {
        let v = signed();
        // Re-serialised compactly with different member order: still valid (JCS).
        let mut reordered = String::from("{");
        let obj = v.as_object().cloned().unwrap_or_default();
        let mut keys: Vec<&String> = obj.keys().collect();
        keys.reverse();
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                reordered.push(',');
            }
            reordered.push_str(&format!("{}: {}", Value::String((*k).clone()), obj[*k]));
        }
        reordered.push('}');
        assert!(verify(reordered.as_bytes()).is_ok());

        let mut tampered = v.clone();
        tampered["credentialSubject"]["name"] = json!("Trần Văn B");
        let raw = serde_json::to_vec(&tampered).unwrap_or_default();
        assert_eq!(verify(&raw), Err(VerifyError::Signature));

        let mut later = v.clone();
        later["proof"]["created"] = json!("2030-01-01T00:00:00Z");
        let raw = serde_json::to_vec(&later).unwrap_or_default();
        assert_eq!(verify(&raw), Err(VerifyError::Signature));
    }

    #[test]
    fn another_key_cannot_pass_as_the_issuer() {
        // Signed by key 8 but claiming key 7's did as issuer.
        let doc = credential(&claim(), &did_key(&key(7).verifying_key()));
        let forged = sign(doc, &key(8), claim().issued_at);
        let raw = serde_json::to_vec(&forged).unwrap_or_default();
        assert!(matches!(verify(&raw), Err(VerifyError::Format(_))));

        // The forger rewrites the issuer to its own key: valid, but not our issuer.
        let own = sign(
            credential(&claim(), &did_key(&key(8).verifying_key())),
            &key(8),
            claim().issued_at,
        );
        let raw = serde_json::to_vec(&own).unwrap_or_default();
        let ok = verify(&raw).map(|v| v.issuer).unwrap_or_default();
        assert_ne!(ok, did_key(&key(7).verifying_key()));
    }

    /// The identity point (y = 1) as a did:key: a small-order "public key".
    fn identity_did() -> String {
        let mut bytes = ED25519_PUB.to_vec();
        let mut point = [0u8; 32];
        point[0] = 1;
        bytes.extend_from_slice(&point);
        format!("did:key:z{}", bs58::encode(bytes).into_string())
    }

    #[test]
    fn a_signature_on_the_identity_point_is_refused() {
        let did = identity_did();
        // R = the identity, s = 0: the non-strict equation holds for any message; and the
        // all-zero signature.
        let mut identity_sig = [0u8; 64];
        identity_sig[0] = 1;
        for sig in [identity_sig, [0u8; 64]] {
            let mut v = signed();
            v["issuer"]["id"] = json!(did);
            v["proof"]["verificationMethod"] = json!(format!("{did}#key"));
            v["proof"]["proofValue"] = json!(format!("z{}", bs58::encode(sig).into_string()));
            let raw = serde_json::to_vec(&v).unwrap_or_default();
            let e = verify(&raw)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains("khóa yếu"), "{e}");
        }
        // A strong key with a small-order R is refused by the strict check.
        let mut v = signed();
        let mut sig = [0u8; 64];
        sig[0] = 1;
        v["proof"]["proofValue"] = json!(format!("z{}", bs58::encode(sig).into_string()));
        let raw = serde_json::to_vec(&v).unwrap_or_default();
        assert_eq!(verify(&raw), Err(VerifyError::Signature));
    }

    #[test]
    fn duplicate_keys_anywhere_are_refused() {
        let raw = String::from_utf8(serde_json::to_vec(&signed()).unwrap_or_default())
            .unwrap_or_default();
        assert!(verify(raw.as_bytes()).is_ok());
        // serde_json would keep the last of each pair: the signed values, so the signature
        // holds, while a reader that keeps the first sees another name.
        for forged in [
            raw.replacen('{', "{\"id\":\"https://gia-mao.example/chung-nhan/x\",", 1),
            raw.replacen(
                "\"credentialSubject\":{",
                "\"credentialSubject\":{\"name\":\"Kẻ Giả Mạo\",",
                1,
            ),
            raw.replacen("\"proof\":{", "\"proof\":{\"proofPurpose\":\"x\",", 1),
        ] {
            assert_ne!(forged, raw);
            let e = verify(forged.as_bytes()).err().map(|e| e.to_string());
            assert!(e.as_deref().is_some_and(|e| e.contains("hai lần")), "{e:?}");
        }
        assert!(no_duplicate_keys(br#"{"a":[{"b":1},{"b":2}],"c":{"a":1}}"#).is_ok());
        for bad in [
            &br#"{"a":1,"a":2}"#[..],
            br#"[{"b":{"c":1,"c":1}}]"#,
            br#"{"a":1,"\u0061":2}"#,
        ] {
            assert!(
                no_duplicate_keys(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(no_duplicate_keys(b"{} {}").is_err());
    }

    #[test]
    fn offline_the_issuer_must_be_trusted() {
        let raw = serde_json::to_vec(&signed()).unwrap_or_default();
        let ours = did_key(&key(7).verifying_key());
        assert!(matches!(
            check_offline(&raw, None),
            Offline::UnknownIssuer(_)
        ));
        assert!(matches!(
            check_offline(&raw, Some(" ")),
            Offline::UnknownIssuer(_)
        ));
        assert!(matches!(
            check_offline(&raw, Some(&ours)),
            Offline::Valid(_)
        ));
        let other = did_key(&key(8).verifying_key());
        assert!(matches!(
            check_offline(&raw, Some(&other)),
            Offline::OtherIssuer { .. }
        ));
        assert!(matches!(
            check_offline(b"{}", Some(&ours)),
            Offline::Invalid(_)
        ));
    }

    #[test]
    fn broken_files_get_a_reason() {
        for (raw, want) in [
            (&b"not json"[..], "JSON"),
            (b"[]", "đối tượng"),
            (b"{\"@context\":[]}", "proof"),
        ] {
            let e = verify(raw).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains(want), "{e}");
        }
        let mut v = signed();
        v["proof"]["proofValue"] = json!("z111");
        let e = verify(&serde_json::to_vec(&v).unwrap_or_default());
        assert!(matches!(e, Err(VerifyError::Format(_))), "{e:?}");
    }

    #[test]
    fn canonical_json_follows_rfc_8785() {
        // RFC 8785 §3.2.3 ordering by UTF-16 code units, and escaping.
        let v =
            json!({"b": [1, "é\n\"", null, true], "a": {"z": 1, "A": 2}, "€": 0, "\u{1F600}": 0});
        assert_eq!(
            canonical(&v),
            "{\"a\":{\"A\":2,\"z\":1},\"b\":[1,\"é\\n\\\"\",null,true],\"€\":0,\"\u{1F600}\":0}"
        );
    }

    #[test]
    fn short_codes_read_well_and_catch_typos() {
        let code = "7k3mpqx9t2abcdefghjkmnpqrstvwxyz";
        let short = super::short_code(code);
        assert_eq!(short.len(), 14, "{short}");
        assert!(short.starts_with("7K3M-PQX9-T2A"), "{short}");
        assert_eq!(
            super::parse_short_code(&short),
            Some(Ok("7k3mpqx9t2a".to_owned()))
        );
        // Typed in lower case, with spaces, O for 0 and l for 1: the same code.
        let typed = short.to_lowercase().replace('-', " ");
        assert_eq!(
            super::parse_short_code(&typed),
            Some(Ok("7k3mpqx9t2a".to_owned()))
        );
        let with_o = super::short_code("0000000000000000");
        assert_eq!(
            super::parse_short_code(&with_o.replace('0', "O")),
            Some(Ok("00000000000".to_owned()))
        );
        // Any single character changed is caught by the check character.
        let plain: Vec<char> = short.chars().filter(|c| *c != '-').collect();
        for i in 0..plain.len() {
            for a in super::CODE_ALPHABET.iter().map(|b| *b as char) {
                if a == plain[i] {
                    continue;
                }
                let mut wrong = plain.clone();
                wrong[i] = a;
                let wrong: String = wrong.into_iter().collect();
                assert_eq!(super::parse_short_code(&wrong), Some(Err(())), "{wrong}");
            }
        }
        // Not a short code at all: the whole code, or too short.
        assert_eq!(super::parse_short_code(code), None);
        assert_eq!(super::parse_short_code("ABC"), None);
    }
}
