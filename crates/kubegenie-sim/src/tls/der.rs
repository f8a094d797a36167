//! Just enough DER to read the subject CN and O of an X.509 certificate. The certificate has
//! already been verified by rustls, so this only needs to find two attributes; a full X.509
//! parser (x509-parser and its nom/der-parser stack) would be the crate's largest dependency.

/// Subject attributes kube-apiserver uses for client certificates.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Subject {
    pub(crate) common_name: Option<String>,
    pub(crate) organizations: Vec<String>,
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const CONTEXT_0: u8 = 0xA0;
const OID_COMMON_NAME: [u8; 3] = [0x55, 0x04, 0x03];
const OID_ORGANIZATION: [u8; 3] = [0x55, 0x04, 0x0A];

/// One TLV: `(tag, content, rest)`.
fn read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, input) = input.split_first()?;
    let (&first, mut input) = input.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 || input.len() < n {
            return None;
        }
        let (bytes, rest) = input.split_at(n);
        input = rest;
        bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    if input.len() < len {
        return None;
    }
    let (content, rest) = input.split_at(len);
    Some((tag, content, rest))
}

fn expect_tag(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, content, rest) = read(input)?;
    (t == tag).then_some((content, rest))
}

/// The subject of a DER certificate, or `None` if it is not a certificate.
pub(crate) fn subject(cert: &[u8]) -> Option<Subject> {
    let (certificate, _) = expect_tag(cert, SEQUENCE)?;
    let (tbs, _) = expect_tag(certificate, SEQUENCE)?;
    // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject.
    let (tag, _, after_first) = read(tbs)?;
    let mut rest = if tag == CONTEXT_0 {
        read(after_first)?.2
    } else {
        after_first
    };
    for _ in 0..3 {
        rest = read(rest)?.2;
    }
    let (name, _) = expect_tag(rest, SEQUENCE)?;
    Some(parse_name(name))
}

fn parse_name(mut rdns: &[u8]) -> Subject {
    let mut subject = Subject::default();
    while let Some((set, rest)) = expect_tag(rdns, SET) {
        rdns = rest;
        let mut attrs = set;
        while let Some((attr, rest)) = expect_tag(attrs, SEQUENCE) {
            attrs = rest;
            let Some((oid, value)) = expect_tag(attr, OID) else {
                continue;
            };
            let Some(text) = read(value).and_then(|(tag, content, _)| decode_string(tag, content)) else {
                continue;
            };
            if oid == OID_COMMON_NAME {
                subject.common_name = Some(text);
            } else if oid == OID_ORGANIZATION {
                subject.organizations.push(text);
            }
        }
    }
    subject
}

fn decode_string(tag: u8, content: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, PrintableString, T61String, IA5String.
        0x0C | 0x13 | 0x14 | 0x16 => Some(String::from_utf8_lossy(content).into_owned()),
        // BMPString: UTF-16BE.
        0x1E => {
            let units: Vec<u16> = content
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cn_and_every_organization() {
        let mut params = rcgen::CertificateParams::default();
        params.distinguished_name.push(rcgen::DnType::CommonName, "jane");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "system:masters");
        params
            .distinguished_name
            .push(rcgen::DnType::CustomDnType(vec![2, 5, 4, 10]), "dev");
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("cert");
        let subject = subject(cert.der()).expect("subject");
        assert_eq!(subject.common_name.as_deref(), Some("jane"));
        assert_eq!(
            subject.organizations,
            vec!["system:masters".to_string(), "dev".to_string()]
        );
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert_eq!(subject(b""), None);
        assert_eq!(subject(&[0x30, 0x82, 0xFF]), None);
        assert_eq!(subject(&[0x30, 0x03, 0x02, 0x01, 0x00]), None);
    }
}
