//! The validated corpus: claims (debunks) and the regulations they cite. Everything here has
//! passed `corpus::load`, so the rest of the engine never re-checks it.

use serde::{Deserialize, Serialize};

/// How a claim was judged. The JSON names are part of the public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    False,
    Misleading,
    True,
    Unproven,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::False, Rating::Misleading, Rating::True, Rating::Unproven];

    pub fn parse(s: &str) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::False => "false",
            Rating::Misleading => "misleading",
            Rating::True => "true",
            Rating::Unproven => "unproven",
        }
    }

    /// The Chinese label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Rating::False => "谣言",
            Rating::Misleading => "误导",
            Rating::True => "属实",
            Rating::Unproven => "存疑",
        }
    }
}

/// Topic of a claim, used to browse the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Platform,
    Scam,
    Health,
    Food,
    Disaster,
    PublicSecurity,
    Policy,
    Epidemic,
    Law,
    Society,
    Education,
    Finance,
    Technology,
    Missing,
}

impl Category {
    pub const ALL: [Category; 14] = [
        Category::Platform,
        Category::Scam,
        Category::Health,
        Category::Food,
        Category::Disaster,
        Category::PublicSecurity,
        Category::Policy,
        Category::Epidemic,
        Category::Law,
        Category::Society,
        Category::Education,
        Category::Finance,
        Category::Technology,
        Category::Missing,
    ];

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Platform => "platform",
            Category::Scam => "scam",
            Category::Health => "health",
            Category::Food => "food",
            Category::Disaster => "disaster",
            Category::PublicSecurity => "public-security",
            Category::Policy => "policy",
            Category::Epidemic => "epidemic",
            Category::Law => "law",
            Category::Society => "society",
            Category::Education => "education",
            Category::Finance => "finance",
            Category::Technology => "technology",
            Category::Missing => "missing",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Platform => "平台规则",
            Category::Scam => "诈骗",
            Category::Health => "健康",
            Category::Food => "食品安全",
            Category::Disaster => "灾害突发",
            Category::PublicSecurity => "治安警情",
            Category::Policy => "政策福利",
            Category::Epidemic => "疫情",
            Category::Law => "法律误读",
            Category::Society => "社会",
            Category::Education => "教育考试",
            Category::Finance => "金融养老",
            Category::Technology => "科技辐射",
            Category::Missing => "寻人寻亲",
        }
    }
}

/// Who published a debunk. `url` and `date` only when verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Source {
    pub publisher: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

/// A claim's reference to one article of a regulation (always the number in force today).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegulationRef {
    pub regulation: String,
    pub article: String,
}

/// One debunked (or confirmed) claim.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Claim {
    pub id: String,
    pub title: String,
    pub rating: Rating,
    pub summary: String,
    #[serde(default)]
    pub explanation: Option<String>,
    #[serde(default)]
    pub category: Option<Category>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub published: Option<String>,
    pub variants: Vec<String>,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub regulations: Vec<RegulationRef>,
}

impl Claim {
    /// The first source that has a URL: what a reader should open.
    pub fn primary_url(&self) -> Option<&str> {
        self.sources.iter().find_map(|s| s.url.as_deref())
    }
}

/// One article of a law or rule.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Article {
    /// Number in force today: "13", "291-1".
    pub number: String,
    /// Chinese label: 第十三条.
    pub label: String,
    /// Number before a renumbering, if any.
    #[serde(default)]
    pub formerly: Option<String>,
    pub text: String,
    /// `text` is our faithful summary, not a verbatim quote.
    #[serde(default)]
    pub paraphrased: bool,
    /// Where the text was checked: the stored copy (URL, or publisher and title) it was compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<String>,
}

impl Article {
    /// Fragment id of the article on its regulation's page: `art-13`, `art-291-1` (numbers are
    /// validated as digits joined by one hyphen, so they are safe in an id).
    pub fn anchor(&self) -> String {
        format!("art-{}", self.number)
    }
}

/// A law, regulation or judicial interpretation.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Regulation {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub short_title: Option<String>,
    pub issuer: String,
    pub effective: String,
    #[serde(default)]
    pub amended: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    pub articles: Vec<Article>,
}

impl Regulation {
    pub fn article(&self, number: &str) -> Option<&Article> {
        self.articles.iter().find(|a| a.number == number)
    }

    pub fn display_title(&self) -> &str {
        self.short_title.as_deref().unwrap_or(&self.title)
    }
}

/// Everything the index is built from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Corpus {
    pub claims: Vec<Claim>,
    pub regulations: Vec<Regulation>,
}

/// One variant of one claim, as the index numbers them (see `Corpus::variants`).
#[derive(Debug, Clone, Copy)]
pub struct VariantRef<'a> {
    /// Position of the claim in `Corpus::claims`.
    pub claim: u32,
    /// Position of the variant within its claim's `variants`.
    pub ordinal: u32,
    pub text: &'a str,
}

impl Corpus {
    pub fn variant_count(&self) -> usize {
        self.claims.iter().map(|c| c.variants.len()).sum()
    }

    /// Every variant of every claim, claim by claim. The index build numbers its documents in
    /// this order and the matcher's tables are built in it, so a document number is a position
    /// in this sequence.
    pub fn variants(&self) -> impl Iterator<Item = VariantRef<'_>> {
        self.claims.iter().enumerate().flat_map(|(ci, claim)| {
            claim.variants.iter().enumerate().map(move |(vi, text)| VariantRef { claim: ci as u32, ordinal: vi as u32, text })
        })
    }
}
