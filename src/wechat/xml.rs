//! The XML WeChat speaks: the message a user sent (pushed to us by WeChat's servers) and the
//! passive text reply we answer with in the same HTTP response. Pure functions, no HTTP.

/// A message pushed by WeChat (plaintext mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The Official Account (`gh_…`): the sender of our reply.
    pub to: String,
    /// The user's openid: the recipient of our reply.
    pub from: String,
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A text message (its `Content`; empty when WeChat sent none).
    Text(String),
    /// A picture, at its `PicUrl` on WeChat's servers.
    Image(String),
    /// An event such as `subscribe` or `CLICK` (the `Event` field, lowercased).
    Event(String),
    /// Anything else a user can send: voice, video, location, link, … (the `MsgType`).
    Other(String),
}

/// Why a body is not a message we understand.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    #[error("body is not well-formed XML: {0}")]
    Syntax(#[from] roxmltree::Error),
    #[error("message has no `{0}` element")]
    Missing(&'static str),
    #[error("message is encrypted: set the Official Account's message mode to plaintext (明文模式)")]
    Encrypted,
}

impl Incoming {
    pub fn parse(body: &str) -> Result<Incoming, XmlError> {
        let doc = roxmltree::Document::parse(body)?;
        let root = doc.root_element();
        // all text children: CDATA sections split around `]]>` are several nodes
        let field =
            |name: &str| root.children().find(|n| n.has_tag_name(name)).map(|n| n.children().filter_map(|c| c.text()).collect::<String>());
        let required = |name: &'static str| field(name).filter(|v| !v.trim().is_empty()).ok_or(XmlError::Missing(name));
        if field("Encrypt").is_some() && field("MsgType").is_none() {
            return Err(XmlError::Encrypted);
        }
        let to = required("ToUserName")?;
        let from = required("FromUserName")?;
        let content = match required("MsgType")?.trim() {
            "text" => Content::Text(field("Content").unwrap_or_default()),
            "event" => Content::Event(field("Event").unwrap_or_default().trim().to_lowercase()),
            "image" => match field("PicUrl").filter(|u| !u.trim().is_empty()) {
                Some(url) => Content::Image(url.trim().to_string()),
                None => Content::Other("image".to_string()),
            },
            other => Content::Other(other.to_string()),
        };
        Ok(Incoming { to, from, content })
    }
}

/// The passive text reply to `incoming`: sender and recipient swapped.
pub fn text_reply(incoming: &Incoming, create_time: u64, content: &str) -> String {
    format!(
        "<xml><ToUserName>{}</ToUserName><FromUserName>{}</FromUserName><CreateTime>{create_time}</CreateTime>\
         <MsgType><![CDATA[text]]></MsgType><Content>{}</Content></xml>",
        cdata(&incoming.from),
        cdata(&incoming.to),
        cdata(content)
    )
}

/// `s` as a CDATA section. A CDATA section cannot contain `]]>`, so that sequence is split
/// across two sections: `]]` ends the first, `>` starts the second. Characters XML 1.0 forbids
/// anywhere (control characters, U+FFFE, U+FFFF) are dropped: one would make the reply invalid.
fn cdata(s: &str) -> String {
    let allowed: String = s.chars().filter(|&c| is_xml_char(c)).collect();
    format!("<![CDATA[{}]]>", allowed.replace("]]>", "]]]]><![CDATA[>"))
}

/// XML 1.0's `Char` production (Rust's `char` already excludes surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[openid]]></FromUserName>\
        <CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[消息 <b>&]]></Content>\
        <MsgId>123</MsgId></xml>";

    #[test]
    fn parses_a_text_message() {
        let m = Incoming::parse(TEXT).unwrap();
        assert_eq!(m, Incoming { to: "gh_x".into(), from: "openid".into(), content: Content::Text("消息 <b>&".into()) });
    }

    #[test]
    fn parses_other_kinds() {
        let image = TEXT.replace("<![CDATA[text]]>", "image").replace("<Content><![CDATA[消息 <b>&]]></Content>", "<PicUrl>u</PicUrl>");
        assert_eq!(Incoming::parse(&image).unwrap().content, Content::Image("u".into()));
        assert_eq!(Incoming::parse(&image.replace("<PicUrl>u</PicUrl>", "")).unwrap().content, Content::Other("image".into()));
        let voice = TEXT.replace("<![CDATA[text]]>", "voice");
        assert_eq!(Incoming::parse(&voice).unwrap().content, Content::Other("voice".into()));
        let event =
            TEXT.replace("<![CDATA[text]]>", "<![CDATA[event]]>").replace("<MsgId>123</MsgId>", "<Event><![CDATA[subscribe]]></Event>");
        assert_eq!(Incoming::parse(&event).unwrap().content, Content::Event("subscribe".into()));
        let no_content = TEXT.replace("<Content><![CDATA[消息 <b>&]]></Content>", "");
        assert_eq!(Incoming::parse(&no_content).unwrap().content, Content::Text(String::new()));
    }

    #[test]
    fn refuses_what_is_not_a_message() {
        assert!(matches!(Incoming::parse("<xml><ToUserName>"), Err(XmlError::Syntax(_))));
        assert!(matches!(Incoming::parse("not xml"), Err(XmlError::Syntax(_))));
        assert!(matches!(Incoming::parse(&TEXT.replace("<MsgType><![CDATA[text]]></MsgType>", "")), Err(XmlError::Missing("MsgType"))));
        assert!(matches!(Incoming::parse(&TEXT.replace("<![CDATA[openid]]>", "")), Err(XmlError::Missing("FromUserName"))));
        let encrypted = "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>";
        assert!(matches!(Incoming::parse(encrypted), Err(XmlError::Encrypted)));
        // no DTDs, so no entity tricks
        assert!(Incoming::parse("<!DOCTYPE xml [<!ENTITY e \"x\">]><xml><ToUserName>&e;</ToUserName></xml>").is_err());
    }

    #[test]
    fn reply_swaps_sender_and_recipient_and_survives_cdata_terminators() {
        let m = Incoming::parse(TEXT).unwrap();
        let reply = text_reply(&m, 1700000001, "a]]>b <c>");
        let doc = roxmltree::Document::parse(&reply).unwrap();
        let text = |name| doc.root_element().children().find(|n| n.has_tag_name(name)).unwrap().text().unwrap().to_string();
        assert_eq!(text("ToUserName"), "openid");
        assert_eq!(text("FromUserName"), "gh_x");
        assert_eq!(text("CreateTime"), "1700000001");
        assert_eq!(text("MsgType"), "text");
        // the two CDATA sections read back as one text
        let back = Incoming::parse(&reply).unwrap();
        assert_eq!(back.content, Content::Text("a]]>b <c>".into()));
    }

    #[test]
    fn reply_drops_characters_xml_forbids() {
        let m = Incoming::parse(TEXT).unwrap();
        let reply = text_reply(&m, 1, "谣\u{0}言\u{1b}[31m\u{b}\u{fffe}\t行\n");
        let back = Incoming::parse(&reply).expect("the reply is well-formed XML");
        assert_eq!(back.content, Content::Text("谣言[31m\t行\n".into()));
    }
}
