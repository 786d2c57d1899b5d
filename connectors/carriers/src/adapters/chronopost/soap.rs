//! SOAP 1.1 on the wire for Chronopost's CXF services: writing a request envelope
//! (element text escaped by quick-xml) and reading the `return` element of an answer
//! into a typed shape. Chronopost puts everything, credentials included, in the body.

use quick_xml::escape::escape;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use shipgate_sdk::ConnectorError;

/// A request envelope under construction: `open`, `leaf` and `close` append to the
/// operation element; [`Envelope::finish`] closes the body.
pub(crate) struct Envelope {
    xml: String,
    operation: &'static str,
}

impl Envelope {
    /// Starts `<soapenv:Envelope>` with the service namespace bound to `cxf`.
    pub(crate) fn new(namespace: &str, operation: &'static str) -> Self {
        let mut xml = String::with_capacity(2048);
        xml.push_str(
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cxf=""#,
        );
        xml.push_str(namespace);
        xml.push_str(r#""><soapenv:Header/><soapenv:Body><cxf:"#);
        xml.push_str(operation);
        xml.push('>');
        Self { xml, operation }
    }

    /// Opens a complex element.
    pub(crate) fn open(&mut self, tag: &str) -> &mut Self {
        self.xml.push('<');
        self.xml.push_str(tag);
        self.xml.push('>');
        self
    }

    /// Closes a complex element.
    pub(crate) fn close(&mut self, tag: &str) -> &mut Self {
        self.xml.push_str("</");
        self.xml.push_str(tag);
        self.xml.push('>');
        self
    }

    /// Writes `<tag>value</tag>`, the value escaped.
    pub(crate) fn leaf(&mut self, tag: &str, value: impl AsRef<str>) -> &mut Self {
        self.open(tag);
        self.xml.push_str(&escape(value.as_ref()));
        self.close(tag)
    }

    /// Writes the leaf only when there is a value.
    pub(crate) fn leaf_opt(&mut self, tag: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            self.leaf(tag, v);
        }
        self
    }

    /// Closes the operation, body and envelope.
    pub(crate) fn finish(mut self) -> String {
        self.xml.push_str("</cxf:");
        self.xml.push_str(self.operation);
        self.xml.push_str("></soapenv:Body></soapenv:Envelope>");
        self.xml
    }
}

#[derive(Deserialize)]
struct AnswerEnvelope<T> {
    #[serde(rename = "Body")]
    body: AnswerBody<T>,
}

#[derive(Deserialize)]
struct AnswerBody<T> {
    #[serde(rename = "$value")]
    response: Response<T>,
}

#[derive(Deserialize)]
struct Response<T> {
    #[serde(rename = "return")]
    result: T,
}

/// Reads the `return` element of `<soap:Body><opResponse><return>…`, whatever the
/// operation; anything else (an HTML error page, a cut answer) is an unexpected shape
/// keeping the raw bytes.
pub(crate) fn read_return<T: DeserializeOwned>(raw: &[u8]) -> Result<T, ConnectorError> {
    let shape = |reason: String| ConnectorError::UnexpectedShape {
        reason,
        raw: raw.to_vec(),
    };
    let text = std::str::from_utf8(raw).map_err(|e| shape(format!("not UTF-8: {e}")))?;
    let envelope: AnswerEnvelope<T> = quick_xml::de::from_str(text)
        .map_err(|e| shape(format!("not a SOAP answer with a return element: {e}")))?;
    Ok(envelope.body.response.result)
}

/// The `faultstring` of a SOAP fault (CXF answers faults with HTTP 500), if the body
/// is one.
pub(crate) fn fault_string(raw: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct FaultEnvelope {
        #[serde(rename = "Body")]
        body: FaultBody,
    }
    #[derive(Deserialize)]
    struct FaultBody {
        #[serde(rename = "Fault")]
        fault: Fault,
    }
    #[derive(Deserialize)]
    struct Fault {
        #[serde(default)]
        faultstring: String,
    }
    let text = std::str::from_utf8(raw).ok()?;
    quick_xml::de::from_str::<FaultEnvelope>(text)
        .ok()
        .map(|e| e.body.fault.faultstring)
}

/// A SOAP request as a sandbox reads it: the operation's local name and every leaf
/// element's text by local name, in document order (a repeated element, such as one
/// `weight` per skybill, keeps all its values).
#[derive(Debug, Default)]
pub(crate) struct Leaves {
    /// The first element inside `Body`.
    pub(crate) operation: String,
    values: Vec<(String, String)>,
}

impl Leaves {
    /// Reads a request; `None` when it is not well-formed XML with a SOAP body.
    pub(crate) fn read(body: &[u8]) -> Option<Self> {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_reader(body);
        reader.config_mut().trim_text(true);
        let mut leaves = Self::default();
        let mut in_body = false;
        let mut current: Option<(String, String)> = None;
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf).ok()? {
                Event::Start(e) => {
                    let name = e.local_name().into_inner().to_string();
                    if in_body && leaves.operation.is_empty() {
                        leaves.operation = name.clone();
                    }
                    in_body |= name == "Body";
                    current = Some((name, String::new()));
                }
                Event::Text(t) => {
                    if let Some((_, text)) = &mut current {
                        text.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some((_, text)) = &mut current {
                        text.push('&');
                        text.push_str(&r.xml10_content());
                        text.push(';');
                    }
                }
                Event::End(_) => {
                    if let Some((name, text)) = current.take() {
                        let value = quick_xml::escape::unescape(&text).ok()?.into_owned();
                        leaves.values.push((name, value));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        (!leaves.operation.is_empty()).then_some(leaves)
    }

    /// The first value of a leaf, or "" when absent.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of a repeated leaf.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A CXF SOAP fault, as Chronopost's servers send with HTTP 500.
pub(crate) fn fault(message: &str) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>{}</faultstring></soap:Fault></soap:Body></soap:Envelope>"#,
        escape(message)
    )
}
