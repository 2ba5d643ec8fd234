//! The venue-truth regression list: 60 real arXiv-linked papers whose venues are
//! known for certain, in a realistic table (and a bullet), with planted stale and
//! wrong venues and the traps (preprint-only papers, Findings, workshop versions,
//! near-duplicate later titles, DBLP entities and trailing periods, a Year column
//! holding the arXiv year or the venue year, Semantic Scholar placing some papers by
//! DBLP key, knowing others only as preprints, and not at all). The real binary runs
//! against local stand-ins of arXiv, Semantic Scholar and DBLP: every planted defect
//! is found, no healthy row gets a warning or an error, and the requests stay few.

use super::cli::paperlint;
use super::venues::{dblp_hit, registries, s2_record};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// What Semantic Scholar knows of a paper.
#[derive(Clone, Copy, PartialEq)]
enum S2 {
    /// Placed by the DBLP key of the published record.
    Key,
    /// Linked only to DBLP's CoRR record (lagging).
    Corr,
    /// Unknown (`null`).
    Null,
}

/// What the row is expected to get.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Want {
    Healthy,
    Published,
    VenueMismatch,
    EditionMismatch,
}

struct P {
    id: &'static str,
    title: &'static str,
    /// arXiv's author list: the first author matters.
    author: &'static str,
    arxiv_year: i32,
    /// DBLP's published record: venue string, year, key, journal? (`None` = preprint only).
    dblp: Option<(&'static str, i32, &'static str, bool)>,
    /// DBLP's title when it differs from arXiv's (other than the trailing period).
    dblp_title: Option<&'static str>,
    s2: S2,
    row_year: i32,
    row_venue: &'static str,
    want: Want,
}

use S2::*;
use Want::*;

#[rustfmt::skip]
const PAPERS: &[P] = &[
    P { id: "2106.09685", title: "LoRA: Low-Rank Adaptation of Large Language Models", author: "Edward J. Hu", arxiv_year: 2021, dblp: Some(("ICLR", 2022, "conf/iclr/HuSWALWWC22", false)), dblp_title: None, s2: Null, row_year: 2021, row_venue: "arXiv", want: Published },
    P { id: "1706.03762", title: "Attention Is All You Need", author: "Ashish Vaswani", arxiv_year: 2017, dblp: Some(("NIPS", 2017, "conf/nips/VaswaniSPUJGKP17", false)), dblp_title: None, s2: Key, row_year: 2017, row_venue: "ICML 2017", want: VenueMismatch },
    P { id: "1810.04805", title: "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", author: "Jacob Devlin", arxiv_year: 2018, dblp: Some(("NAACL-HLT (1)", 2019, "conf/naacl/DevlinCLT19", false)), dblp_title: None, s2: Null, row_year: 2019, row_venue: "NAACL 2019", want: Healthy },
    P { id: "1512.03385", title: "Deep Residual Learning for Image Recognition", author: "Kaiming He", arxiv_year: 2015, dblp: Some(("CVPR", 2016, "conf/cvpr/HeZRS16", false)), dblp_title: None, s2: Key, row_year: 2016, row_venue: "CVPR 2016", want: Healthy },
    P { id: "2010.11929", title: "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale", author: "Alexey Dosovitskiy", arxiv_year: 2020, dblp: Some(("ICLR", 2021, "conf/iclr/DosovitskiyB0WZ21", false)), dblp_title: None, s2: Corr, row_year: 2020, row_venue: "ICLR 2020", want: EditionMismatch },
    P { id: "2006.11239", title: "Denoising Diffusion Probabilistic Models", author: "Jonathan Ho", arxiv_year: 2020, dblp: Some(("NeurIPS", 2020, "conf/nips/HoJA20", false)), dblp_title: None, s2: Null, row_year: 2020, row_venue: "arXiv", want: Published },
    P { id: "2103.00020", title: "Learning Transferable Visual Models From Natural Language Supervision", author: "Alec Radford", arxiv_year: 2021, dblp: Some(("ICML", 2021, "conf/icml/RadfordKHRGASAM21", false)), dblp_title: None, s2: Key, row_year: 2021, row_venue: "ArXiv", want: Published },
    P { id: "2005.14165", title: "Language Models are Few-Shot Learners", author: "Tom B. Brown", arxiv_year: 2020, dblp: Some(("NeurIPS", 2020, "conf/nips/BrownMRSKDNSSAA20", false)), dblp_title: None, s2: Key, row_year: 2020, row_venue: "NeurIPS 2021", want: EditionMismatch },
    P { id: "1412.6980", title: "Adam: A Method for Stochastic Optimization", author: "Diederik P. Kingma", arxiv_year: 2014, dblp: Some(("ICLR (Poster)", 2015, "conf/iclr/KingmaB14", false)), dblp_title: None, s2: Null, row_year: 2015, row_venue: "ICLR 2015", want: Healthy },
    P { id: "1312.6114", title: "Auto-Encoding Variational Bayes", author: "Diederik P. Kingma", arxiv_year: 2013, dblp: Some(("ICLR", 2014, "conf/iclr/KingmaW13", false)), dblp_title: None, s2: Key, row_year: 2013, row_venue: "ICLR 2014", want: Healthy },
    P { id: "1406.2661", title: "Generative Adversarial Networks", author: "Ian J. Goodfellow", arxiv_year: 2014, dblp: Some(("NIPS", 2014, "conf/nips/GoodfellowPMXWOCB14", false)), dblp_title: Some("Generative Adversarial Nets."), s2: Key, row_year: 2014, row_venue: "NeurIPS 2014", want: Healthy },
    P { id: "2112.10752", title: "High-Resolution Image Synthesis with Latent Diffusion Models", author: "Robin Rombach", arxiv_year: 2021, dblp: Some(("CVPR", 2022, "conf/cvpr/RombachBLEO22", false)), dblp_title: None, s2: Null, row_year: 2022, row_venue: "CVPR 2022", want: Healthy },
    P { id: "2304.02643", title: "Segment Anything", author: "Alexander Kirillov", arxiv_year: 2023, dblp: Some(("ICCV", 2023, "conf/iccv/KirillovMRMRGXW23", false)), dblp_title: None, s2: Null, row_year: 2023, row_venue: "ICCV 2023", want: Healthy },
    P { id: "2408.00714", title: "SAM 2: Segment Anything in Images and Videos", author: "Nikhila Ravi", arxiv_year: 2024, dblp: Some(("ICLR", 2025, "conf/iclr/RaviGHHRKMRRGMPA25", false)), dblp_title: None, s2: Null, row_year: 2024, row_venue: "arXiv", want: Published },
    P { id: "2201.11903", title: "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models", author: "Jason Wei", arxiv_year: 2022, dblp: Some(("NeurIPS", 2022, "conf/nips/Wei0SBIXCLZ22", false)), dblp_title: None, s2: Key, row_year: 2022, row_venue: "NeurIPS 2022", want: Healthy },
    P { id: "2203.02155", title: "Training language models to follow instructions with human feedback", author: "Long Ouyang", arxiv_year: 2022, dblp: Some(("NeurIPS", 2022, "conf/nips/Ouyang0JAWMZASR22", false)), dblp_title: None, s2: Null, row_year: 2022, row_venue: "NeurIPS 2022", want: Healthy },
    P { id: "1907.11692", title: "RoBERTa: A Robustly Optimized BERT Pretraining Approach", author: "Yinhan Liu", arxiv_year: 2019, dblp: None, dblp_title: None, s2: Corr, row_year: 2019, row_venue: "arXiv", want: Healthy },
    P { id: "2302.13971", title: "LLaMA: Open and Efficient Foundation Language Models", author: "Hugo Touvron", arxiv_year: 2023, dblp: None, dblp_title: None, s2: Null, row_year: 2023, row_venue: "arXiv", want: Healthy },
    P { id: "2303.08774", title: "GPT-4 Technical Report", author: "OpenAI", arxiv_year: 2023, dblp: None, dblp_title: None, s2: Corr, row_year: 2023, row_venue: "Tech Report", want: Healthy },
    P { id: "1910.10683", title: "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer", author: "Colin Raffel", arxiv_year: 2019, dblp: Some(("J. Mach. Learn. Res.", 2020, "journals/jmlr/RaffelSRLNMZLL20", true)), dblp_title: None, s2: Key, row_year: 2020, row_venue: "JMLR", want: Healthy },
    P { id: "2004.05150", title: "Longformer: The Long-Document Transformer", author: "Iz Beltagy", arxiv_year: 2020, dblp: None, dblp_title: None, s2: Corr, row_year: 2020, row_venue: "arXiv", want: Healthy },
    P { id: "2004.10964", title: "Don't Stop Pretraining: Adapt Language Models to Domains and Tasks", author: "Suchin Gururangan", arxiv_year: 2020, dblp: Some(("ACL", 2020, "conf/acl/GururanganMSLBD20", false)), dblp_title: Some("Don&apos;t Stop Pretraining: Adapt Language Models to Domains and Tasks."), s2: Null, row_year: 2020, row_venue: "Preprint", want: Published },
    P { id: "1909.11942", title: "ALBERT: A Lite BERT for Self-supervised Learning of Language Representations", author: "Zhenzhong Lan", arxiv_year: 2019, dblp: Some(("ICLR", 2020, "conf/iclr/LanCGGSS20", false)), dblp_title: None, s2: Key, row_year: 2020, row_venue: "ICLR 2020", want: Healthy },
    P { id: "1910.13461", title: "BART: Denoising Sequence-to-Sequence Pre-training for Natural Language Generation, Translation, and Comprehension", author: "Mike Lewis", arxiv_year: 2019, dblp: Some(("ACL", 2020, "conf/acl/LewisLGGMLSZ20", false)), dblp_title: None, s2: Null, row_year: 2020, row_venue: "ACL 2020", want: Healthy },
    P { id: "2003.08934", title: "NeRF: Representing Scenes as Neural Radiance Fields for View Synthesis", author: "Ben Mildenhall", arxiv_year: 2020, dblp: Some(("ECCV (1)", 2020, "conf/eccv/MildenhallSTBRN20", false)), dblp_title: None, s2: Null, row_year: 2020, row_venue: "ECCV 2021", want: EditionMismatch },
    P { id: "2002.05709", title: "A Simple Framework for Contrastive Learning of Visual Representations", author: "Ting Chen", arxiv_year: 2020, dblp: Some(("ICML", 2020, "conf/icml/ChenK0H20", false)), dblp_title: None, s2: Key, row_year: 2020, row_venue: "NeurIPS 2020", want: VenueMismatch },
    P { id: "1911.05722", title: "Momentum Contrast for Unsupervised Visual Representation Learning", author: "Kaiming He", arxiv_year: 2019, dblp: Some(("CVPR", 2020, "conf/cvpr/He0WXG20", false)), dblp_title: None, s2: Null, row_year: 2019, row_venue: "CVPR 2020", want: Healthy },
    P { id: "2111.06377", title: "Masked Autoencoders Are Scalable Vision Learners", author: "Kaiming He", arxiv_year: 2021, dblp: Some(("CVPR", 2022, "conf/cvpr/HeCXLDG22", false)), dblp_title: None, s2: Key, row_year: 2022, row_venue: "CVPR 2022", want: Healthy },
    P { id: "2103.14030", title: "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows", author: "Ze Liu", arxiv_year: 2021, dblp: Some(("ICCV", 2021, "conf/iccv/LiuL00W0LG21", false)), dblp_title: None, s2: Null, row_year: 2021, row_venue: "CVPR 2021", want: VenueMismatch },
    P { id: "2005.12872", title: "End-to-End Object Detection with Transformers", author: "Nicolas Carion", arxiv_year: 2020, dblp: Some(("ECCV (1)", 2020, "conf/eccv/CarionMSUKZ20", false)), dblp_title: None, s2: Key, row_year: 2020, row_venue: "ECCV 2020", want: Healthy },
    P { id: "1506.02640", title: "You Only Look Once: Unified, Real-Time Object Detection", author: "Joseph Redmon", arxiv_year: 2015, dblp: Some(("CVPR", 2016, "conf/cvpr/RedmonDGF16", false)), dblp_title: None, s2: Null, row_year: 2016, row_venue: "CVPR 2016", want: Healthy },
    P { id: "1505.04597", title: "U-Net: Convolutional Networks for Biomedical Image Segmentation", author: "Olaf Ronneberger", arxiv_year: 2015, dblp: Some(("MICCAI (3)", 2015, "conf/miccai/RonnebergerFB15", false)), dblp_title: None, s2: Key, row_year: 2015, row_venue: "MICCAI 2015", want: Healthy },
    P { id: "1409.0473", title: "Neural Machine Translation by Jointly Learning to Align and Translate", author: "Dzmitry Bahdanau", arxiv_year: 2014, dblp: Some(("ICLR", 2015, "conf/iclr/BahdanauCB14", false)), dblp_title: None, s2: Null, row_year: 2014, row_venue: "arXiv", want: Published },
    P { id: "1609.02907", title: "Semi-Supervised Classification with Graph Convolutional Networks", author: "Thomas N. Kipf", arxiv_year: 2016, dblp: Some(("ICLR (Poster)", 2017, "conf/iclr/KipfW17", false)), dblp_title: None, s2: Key, row_year: 2017, row_venue: "ICLR 2017", want: Healthy },
    P { id: "1710.10903", title: "Graph Attention Networks", author: "Petar Velickovic", arxiv_year: 2017, dblp: Some(("ICLR (Poster)", 2018, "conf/iclr/VelickovicCCRLB18", false)), dblp_title: None, s2: Null, row_year: 2018, row_venue: "ICLR 2018", want: Healthy },
    P { id: "1706.02216", title: "Inductive Representation Learning on Large Graphs", author: "William L. Hamilton", arxiv_year: 2017, dblp: Some(("NIPS", 2017, "conf/nips/HamiltonYL17", false)), dblp_title: None, s2: Key, row_year: 2017, row_venue: "NIPS 2017", want: Healthy },
    P { id: "2104.08691", title: "The Power of Scale for Parameter-Efficient Prompt Tuning", author: "Brian Lester", arxiv_year: 2021, dblp: Some(("EMNLP (1)", 2021, "conf/emnlp/LesterAC21", false)), dblp_title: None, s2: Null, row_year: 2021, row_venue: "EMNLP 2021", want: Healthy },
    P { id: "2101.00190", title: "Prefix-Tuning: Optimizing Continuous Prompts for Generation", author: "Xiang Lisa Li", arxiv_year: 2021, dblp: Some(("ACL/IJCNLP (1)", 2021, "conf/acl/LiL20", false)), dblp_title: None, s2: Null, row_year: 2021, row_venue: "ACL 2021", want: Healthy },
    P { id: "1908.10084", title: "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks", author: "Nils Reimers", arxiv_year: 2019, dblp: Some(("EMNLP/IJCNLP (1)", 2019, "conf/emnlp/ReimersG19", false)), dblp_title: None, s2: Key, row_year: 2019, row_venue: "EMNLP 2019", want: Healthy },
    P { id: "2104.08821", title: "SimCSE: Simple Contrastive Learning of Sentence Embeddings", author: "Tianyu Gao", arxiv_year: 2021, dblp: Some(("EMNLP (1)", 2021, "conf/emnlp/GaoYC21", false)), dblp_title: None, s2: Null, row_year: 2021, row_venue: "EMNLP 2021", want: Healthy },
    P { id: "2305.18290", title: "Direct Preference Optimization: Your Language Model is Secretly a Reward Model", author: "Rafael Rafailov", arxiv_year: 2023, dblp: Some(("NeurIPS", 2023, "conf/nips/RafailovSMMEF23", false)), dblp_title: None, s2: Corr, row_year: 2023, row_venue: "arXiv 2023", want: Published },
    P { id: "2305.14314", title: "QLoRA: Efficient Finetuning of Quantized LLMs", author: "Tim Dettmers", arxiv_year: 2023, dblp: Some(("NeurIPS", 2023, "conf/nips/DettmersPHZ23", false)), dblp_title: None, s2: Key, row_year: 2023, row_venue: "NeurIPS 2023", want: Healthy },
    P { id: "2210.03629", title: "ReAct: Synergizing Reasoning and Acting in Language Models", author: "Shunyu Yao", arxiv_year: 2022, dblp: Some(("ICLR", 2023, "conf/iclr/YaoZYDSN023", false)), dblp_title: None, s2: Null, row_year: 2022, row_venue: "ICLR 2023", want: Healthy },
    P { id: "2302.04761", title: "Toolformer: Language Models Can Teach Themselves to Use Tools", author: "Timo Schick", arxiv_year: 2023, dblp: Some(("NeurIPS", 2023, "conf/nips/SchickDDRLHZCS23", false)), dblp_title: None, s2: Key, row_year: 2023, row_venue: "NeurIPS 2023", want: Healthy },
    P { id: "2205.14135", title: "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness", author: "Tri Dao", arxiv_year: 2022, dblp: Some(("NeurIPS", 2022, "conf/nips/DaoFERR22", false)), dblp_title: None, s2: Null, row_year: 2022, row_venue: "NeurIPS 2022", want: Healthy },
    P { id: "2304.08485", title: "Visual Instruction Tuning", author: "Haotian Liu", arxiv_year: 2023, dblp: Some(("NeurIPS", 2023, "conf/nips/LiuLWL23", false)), dblp_title: None, s2: Null, row_year: 2023, row_venue: "NeurIPS 2023", want: Healthy },
    P { id: "2301.12597", title: "BLIP-2: Bootstrapping Language-Image Pre-training with Frozen Image Encoders and Large Language Models", author: "Junnan Li", arxiv_year: 2023, dblp: Some(("ICML", 2023, "conf/icml/0008LSH23", false)), dblp_title: None, s2: Key, row_year: 2023, row_venue: "ICML 2023", want: Healthy },
    P { id: "2201.12086", title: "BLIP: Bootstrapping Language-Image Pre-training for Unified Vision-Language Understanding and Generation", author: "Junnan Li", arxiv_year: 2022, dblp: Some(("ICML", 2022, "conf/icml/0001LXH22", false)), dblp_title: None, s2: Null, row_year: 2022, row_venue: "ICML 2022", want: Healthy },
    P { id: "2204.14198", title: "Flamingo: a Visual Language Model for Few-Shot Learning", author: "Jean-Baptiste Alayrac", arxiv_year: 2022, dblp: Some(("NeurIPS", 2022, "conf/nips/AlayracDLMBHLMM22", false)), dblp_title: None, s2: Key, row_year: 2022, row_venue: "NeurIPS 2022", want: Healthy },
    P { id: "2212.04356", title: "Robust Speech Recognition via Large-Scale Weak Supervision", author: "Alec Radford", arxiv_year: 2022, dblp: Some(("ICML", 2023, "conf/icml/RadfordKXBMS23", false)), dblp_title: None, s2: Null, row_year: 2022, row_venue: "ICML 2023", want: Healthy },
    P { id: "2006.11477", title: "wav2vec 2.0: A Framework for Self-Supervised Learning of Speech Representations", author: "Alexei Baevski", arxiv_year: 2020, dblp: Some(("NeurIPS", 2020, "conf/nips/BaevskiZMA20", false)), dblp_title: None, s2: Key, row_year: 2020, row_venue: "NeurIPS 2020", want: Healthy },
    P { id: "2102.12092", title: "Zero-Shot Text-to-Image Generation", author: "Aditya Ramesh", arxiv_year: 2021, dblp: Some(("ICML", 2021, "conf/icml/RameshPGGVRCS21", false)), dblp_title: None, s2: Null, row_year: 2021, row_venue: "ICML 2021", want: Healthy },
    P { id: "2011.13456", title: "Score-Based Generative Modeling through Stochastic Differential Equations", author: "Yang Song", arxiv_year: 2020, dblp: Some(("ICLR", 2021, "conf/iclr/0011SKKEP21", false)), dblp_title: None, s2: Key, row_year: 2021, row_venue: "ICLR 2021", want: Healthy },
    P { id: "2105.05233", title: "Diffusion Models Beat GANs on Image Synthesis", author: "Prafulla Dhariwal", arxiv_year: 2021, dblp: Some(("NeurIPS", 2021, "conf/nips/DhariwalN21", false)), dblp_title: None, s2: Null, row_year: 2021, row_venue: "NeurIPS 2021", want: Healthy },
    P { id: "2102.09672", title: "Improved Denoising Diffusion Probabilistic Models", author: "Alexander Quinn Nichol", arxiv_year: 2021, dblp: Some(("ICML", 2021, "conf/icml/NicholD21", false)), dblp_title: None, s2: Null, row_year: 2021, row_venue: "ICML 2021", want: Healthy },
    P { id: "2307.09288", title: "Llama 2: Open Foundation and Fine-Tuned Chat Models", author: "Hugo Touvron", arxiv_year: 2023, dblp: None, dblp_title: None, s2: Corr, row_year: 2023, row_venue: "arXiv", want: Healthy },
    P { id: "1301.3781", title: "Efficient Estimation of Word Representations in Vector Space", author: "Tomas Mikolov", arxiv_year: 2013, dblp: Some(("ICLR (Workshop Poster)", 2013, "conf/iclr/MikolovCCD13", false)), dblp_title: None, s2: Null, row_year: 2013, row_venue: "ICLR 2013", want: VenueMismatch },
    P { id: "2203.15556", title: "Training Compute-Optimal Large Language Models", author: "Jordan Hoffmann", arxiv_year: 2022, dblp: Some(("NeurIPS", 2022, "conf/nips/HoffmannBMBCRCH22", false)), dblp_title: None, s2: Key, row_year: 2022, row_venue: "NeurIPS 2022", want: Healthy },
    P { id: "2001.08361", title: "Scaling Laws for Neural Language Models", author: "Jared Kaplan", arxiv_year: 2020, dblp: None, dblp_title: None, s2: Null, row_year: 2020, row_venue: "arXiv", want: Healthy },
    P { id: "1909.10351", title: "TinyBERT: Distilling BERT for Natural Language Understanding", author: "Xiaoqi Jiao", arxiv_year: 2019, dblp: Some(("EMNLP (Findings)", 2020, "conf/emnlp/JiaoYSJCL0L20", false)), dblp_title: None, s2: Null, row_year: 2020, row_venue: "EMNLP 2020", want: VenueMismatch },
    P { id: "2002.08155", title: "CodeBERT: A Pre-Trained Model for Programming and Natural Languages", author: "Zhangyin Feng", arxiv_year: 2020, dblp: Some(("EMNLP (Findings)", 2020, "conf/emnlp/FengGTDFGS0LJZ20", false)), dblp_title: None, s2: Null, row_year: 2020, row_venue: "Findings of EMNLP 2020", want: Healthy },
    P { id: "1910.01108", title: "DistilBERT, a distilled version of BERT: smaller, faster, cheaper and lighter", author: "Victor Sanh", arxiv_year: 2019, dblp: None, dblp_title: None, s2: Null, row_year: 2019, row_venue: "arXiv", want: Healthy },
];

/// A bullet naming no venue, for a paper that was published.
const BULLET: &str = "2006.11239";

/// The arXiv API stand-in with each paper's real first author.
struct Arxiv(Arc<Mutex<usize>>);

impl Respond for Arxiv {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        *self.0.lock().unwrap() += 1;
        let ids: Vec<String> = request
            .url
            .query_pairs()
            .chain(url::form_urlencoded::parse(&request.body))
            .find(|(k, _)| k == "id_list")
            .map(|(_, v)| v.split(',').map(String::from).collect())
            .unwrap_or_default();
        let mut feed = String::from(
            "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>https://arxiv.org/api/x</id>\n  <title>arXiv Query</title>\n",
        );
        for p in PAPERS.iter().filter(|p| ids.iter().any(|i| i == p.id)) {
            feed.push_str(&format!(
                "  <entry>\n    <id>http://arxiv.org/abs/{}v1</id>\n    <title>{}</title>\n    <updated>2024-01-01T00:00:00Z</updated>\n    <published>{}-06-01T00:00:00Z</published>\n    <author>\n      <name>{}</name>\n    </author>\n    <author>\n      <name>Second Author</name>\n    </author>\n  </entry>\n",
                p.id,
                p.title.replace('&', "&amp;"),
                p.arxiv_year,
                p.author
            ));
        }
        feed.push_str("</feed>\n");
        ResponseTemplate::new(200).set_body_string(feed)
    }
}

fn list() -> String {
    let mut md = String::from("# Papers\n\n| Year | Paper | Venue |\n|---|---|---|\n");
    for p in PAPERS {
        md.push_str(&format!(
            "| {} | [{}](https://arxiv.org/abs/{}) | {} |\n",
            p.row_year, p.title, p.id, p.row_venue
        ));
    }
    let ddpm = PAPERS.iter().find(|p| p.id == BULLET).unwrap();
    md.push_str(&format!(
        "\n## Also\n\n- [{}](https://arxiv.org/abs/{}v2)\n",
        ddpm.title, ddpm.id
    ));
    md
}

/// Stand-ins of arXiv, Semantic Scholar and DBLP on one server, shaped by [`PAPERS`];
/// the arXiv requests are counted.
async fn stand_ins() -> (super::venues::Registries, Arc<Mutex<usize>>) {
    let mut s2 = BTreeMap::new();
    let mut hits = Vec::new();
    for p in PAPERS {
        let corr = format!("journals/corr/abs-{}", p.id.replace('.', "-"));
        let authors = [p.author, "Second Author"];
        hits.push(dblp_hit(
            &format!("{}.", p.title),
            "CoRR",
            p.arxiv_year,
            &corr,
            "Informal and Other Publications",
            &authors,
        ));
        if let Some((venue, year, key, journal)) = p.dblp {
            let title = p.dblp_title.map_or(format!("{}.", p.title), String::from);
            let kind = if journal {
                "Journal Articles"
            } else {
                "Conference and Workshop Papers"
            };
            hits.push(dblp_hit(&title, venue, year, key, kind, &authors));
        }
        match p.s2 {
            Key => {
                let (venue, _, key, _) = p.dblp.expect("placed papers have a record");
                s2.insert(
                    p.id.to_string(),
                    s2_record(p.id, p.title, p.arxiv_year, venue, &[], key),
                );
            }
            Corr => {
                s2.insert(
                    p.id.to_string(),
                    s2_record(p.id, p.title, p.arxiv_year, "", &[], &corr),
                );
            }
            Null => {}
        }
    }
    let r = registries(s2, vec![], hits, vec![]).await;
    let arxiv_requests = Arc::new(Mutex::new(0));
    Mock::given(method("POST"))
        .and(path("/api/query"))
        .respond_with(Arxiv(arxiv_requests.clone()))
        .mount(&r.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/query"))
        .respond_with(Arxiv(arxiv_requests.clone()))
        .mount(&r.server)
        .await;
    (r, arxiv_requests)
}

/// A directory holding `list` as README.md and a configuration that sends every
/// registry to `server`.
fn site(list: &str, server: &wiremock::MockServer) -> tempfile::TempDir {
    super::cli::site(
        list,
        &format!(
            "[metadata]\narxiv_api = '{0}/api/query'\ncrossref_api = '{0}'\ndoi_api = '{0}'\narxiv_interval = '1ms'\nsemantic_scholar_api = '{0}/graph/v1'\ndblp_api = '{0}'\ndblp_interval = '1ms'\n\n[network]\nallow_private = true\ncache = ''\n",
            server.uri()
        ),
    )
}

/// `paperlint check --format json README.md` in `dir`: its report.
fn check(dir: &std::path::Path) -> Value {
    let out = paperlint()
        .current_dir(dir)
        .env_remove("SEMANTIC_SCHOLAR_API_KEY")
        .args(["check", "--format", "json", "README.md"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_planted_venue_defect_is_found_and_healthy_rows_stay_quiet() {
    let (r, arxiv_requests) = stand_ins().await;
    let dir = site(&list(), &r.server);
    let report = check(dir.path());
    let findings = report["findings"].as_array().unwrap();
    let of = |id: &str| -> Vec<(String, String, String)> {
        findings
            .iter()
            .filter(|f| {
                let url = f["url"].as_str().unwrap_or_default();
                url.ends_with(&format!("/{id}")) && f["line"].as_u64().unwrap() < 70
            })
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let mut problems = Vec::new();
    for p in PAPERS {
        let got = of(p.id);
        let loud: Vec<_> = got.iter().filter(|(_, s, _)| s != "info").collect();
        let has = |rule: &str| got.iter().any(|(r, _, _)| r == rule);
        let ok = match p.want {
            Healthy => loud.is_empty() && !has("paper/published"),
            Published => loud.is_empty() && has("paper/published"),
            VenueMismatch => loud.len() == 1 && has("paper/venue-mismatch"),
            EditionMismatch => loud.len() == 1 && has("paper/year-mismatch"),
        };
        if !ok {
            problems.push(format!("{} {:?}: {got:?}", p.id, p.want));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(PAPERS.len() >= 50);
    let planted = PAPERS.iter().filter(|p| p.want != Healthy).count();
    assert!(planted >= 12, "{planted}");

    // The bullet names no venue: it is told where the paper was published.
    let bullet: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["url"]
                .as_str()
                .unwrap_or_default()
                .ends_with(&format!("{BULLET}v2"))
        })
        .collect();
    assert!(
        bullet.iter().any(|f| f["rule"] == "paper/published"
            && f["message"].as_str().unwrap().contains("NeurIPS 2020")),
        "{bullet:?}"
    );
    // The messages name venue and year.
    let lora = of("2106.09685");
    assert!(
        lora.iter()
            .any(|(_, _, m)| m.contains("published at ICLR 2022")),
        "{lora:?}"
    );

    // Cost: one arXiv request, one Semantic Scholar batch, DBLP only for the papers
    // Semantic Scholar did not place by a DBLP key.
    assert_eq!(*arxiv_requests.lock().unwrap(), 1);
    let s2_seen = r.s2.lock().unwrap();
    assert_eq!(s2_seen.batches.len(), 1);
    assert_eq!(s2_seen.batches[0].len(), PAPERS.len());
    // A DBLP key whose year is no later than the arXiv year may be the preprint's
    // year (`conf/iclr/KingmaW13` is ICLR 2014): DBLP is asked for the edition.
    let key_year_trusted = |p: &P| {
        let key = p.dblp.unwrap().2;
        let yy: i32 = key[key.len() - 2..].parse().unwrap();
        2000 + yy > p.arxiv_year
    };
    let unplaced = PAPERS
        .iter()
        .filter(|p| p.s2 != Key || !key_year_trusted(p))
        .count();
    assert_eq!(r.dblp.lock().unwrap().len(), unplaced);
    drop(s2_seen);

    // The BibTeX export carries the venue: @inproceedings, booktitle, the edition's year.
    let bib = paperlint()
        .current_dir(dir.path())
        .args(["entries", "--resolve", "--format", "bibtex", "README.md"])
        .output()
        .unwrap();
    let bib = String::from_utf8(bib.stdout).unwrap();
    let lora = format!("\n{bib}")
        .split("\n@")
        .find(|e| e.contains("eprint = {2106.09685}"))
        .map(String::from)
        .unwrap_or_else(|| panic!("{bib}"));
    assert!(lora.starts_with("inproceedings{"), "{lora}");
    assert!(
        lora.contains("booktitle = {ICLR}") && lora.contains("year = {2022}"),
        "{lora}"
    );

    // fix.venues rewrites stale cells in the list's style (`ICLR 2022`).
    std::fs::write(
        dir.path().join("fix.toml"),
        std::fs::read_to_string(dir.path().join("paperlint.toml")).unwrap()
            + "\n[fix]\nvenues = true\n",
    )
    .unwrap();
    let diff = paperlint()
        .current_dir(dir.path())
        .args(["fix", "--dry-run", "--config", "fix.toml", "README.md"])
        .output()
        .unwrap();
    let diff = String::from_utf8(diff.stdout).unwrap();
    for (id, after) in [
        ("2106.09685", "| ICLR 2022 |"),
        ("2305.18290", "| NeurIPS 2023 |"),
        ("2010.11929", "| ICLR 2021 |"),
        ("2005.14165", "| NeurIPS 2020 |"),
    ] {
        let link = format!("(https://arxiv.org/abs/{id})");
        assert!(
            diff.lines()
                .any(|l| l.starts_with('+') && l.contains(&link) && l.ends_with(after)),
            "{id} -> {after}\n{diff}"
        );
    }
    // Wrong venues are reported, not rewritten.
    assert!(!diff.contains("+| 2017 | [Attention"), "{diff}");
}

/// An online `check` keeps a small list's entries for its link and paper findings, and
/// reads a larger one (over `cli::ENTRIES_KEPT_UP_TO`) a second time instead; `entries`
/// writes a larger one's records as it reads it. The same rows on both sides of that
/// size (made larger by a code block after the last row, which names no link) get the
/// same report, fixes in the list's venue style included, and the same records.
#[tokio::test(flavor = "multi_thread")]
async fn an_online_report_is_the_same_whether_the_entries_are_kept_or_read_again() {
    let (r, _) = stand_ins().await;
    let uri = r.server.uri();
    Mock::given(path("/gone"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&r.server)
        .await;
    Mock::given(path("/moved"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", format!("{uri}/new")))
        .mount(&r.server)
        .await;
    Mock::given(path("/new"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&r.server)
        .await;
    let mut small = list();
    small.push_str(&format!(
        "\n## Pages\n\n| Year | Paper | Venue |\n|---|---|---|\n\
         | 2021 | [A page that is gone]({uri}/gone) | ICLR 2021 |\n\
         | 2022 | [A page that moved]({uri}/moved) | NeurIPS'22 |\n\
         | 2022 | [Its new place]({uri}/new) | CVPR |\n"
    ));
    let mut large = small.clone();
    large.push_str("\n```text\n");
    while large.len() <= paperlint::cli::ENTRIES_KEPT_UP_TO {
        large.push_str("a line of notes that names no paper and no link\n");
    }
    large.push_str("```\n");
    assert!(small.len() < paperlint::cli::ENTRIES_KEPT_UP_TO);

    let (small_dir, large_dir) = (site(&small, &r.server), site(&large, &r.server));
    let kept = check(small_dir.path());
    let read_again = check(large_dir.path());
    let rules = super::cli::rules_of(&kept);
    for rule in [
        "link/broken",
        "link/redirect",
        "paper/published",
        "paper/venue-mismatch",
        "paper/year-mismatch",
    ] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    let styled = super::cli::with_rule(&kept, "paper/published")
        .any(|f| f["fix"]["replacement"] == "ICLR 2022");
    assert!(styled, "{:#}", kept["findings"]);
    assert_eq!(kept["findings"], read_again["findings"]);
    let without_time = |report: &Value| {
        let mut summary = report["summary"].clone();
        summary["network"]["seconds"] = Value::Null;
        summary
    };
    assert_eq!(without_time(&kept), without_time(&read_again));

    // `entries` too: the large file's records are written as it is read again.
    let entries = |dir: &std::path::Path, args: &[&str]| {
        let out = paperlint()
            .current_dir(dir)
            .env_remove("SEMANTIC_SCHOLAR_API_KEY")
            .arg("entries")
            .args(args)
            .arg("README.md")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for args in [
        &["--format", "json"][..],
        &["--format", "csv"],
        &["--resolve", "--format", "json"],
        &["--resolve", "--format", "bibtex"],
    ] {
        let kept = entries(small_dir.path(), args);
        assert!(kept.contains("2106.09685"), "{args:?}: {kept}");
        assert_eq!(kept, entries(large_dir.path(), args), "{args:?}");
    }
}
