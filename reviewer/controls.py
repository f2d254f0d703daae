"""Control catalogues: titles, known identifiers and the ISO/IEC 27001 2013 -> 2022 mapping.

Facts come from shared/reference/frameworks.md (S1 ciso-assistant libraries, NIST AI 100-1,
Regulation (EU) 2024/1689). Every lookup takes an explicit edition because the same identifier
means different things across editions: ISO27001:2013 A.8.2 is "Information classification",
ISO27001:2022 8.2 is "Privileged access rights".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reviewer.models import ControlRef

# Framework key -> editions we can validate. Keys are the canonical spellings used in refs.
KNOWN_EDITIONS: dict[str, tuple[str, ...]] = {
    "ISO27001": ("2013", "2022"),
    "ISO42001": ("2023",),
    "NIST-AI-RMF": ("1.0",),
    "EU-AI-Act": ("2024",),
}

_FRAMEWORK_ALIASES: dict[str, str] = {key.lower(): key for key in KNOWN_EDITIONS}

# ISO/IEC 27001:2013 Annex A titles, only the entries frameworks.md lists (R1); other
# identifiers are still known through _ISO27001_2013_IDS, just without a title.
ISO27001_2013_TITLES: dict[str, str] = {
    "A.8.1.3": "Acceptable use of assets",
    "A.8.2": "Information classification",
    "A.8.2.1": "Classification of information",
    "A.8.2.2": "Labelling of information",
    "A.8.2.3": "Handling of assets",
    "A.12.1.2": "Change management",
    "A.12.1.4": "Separation of development, testing and operational environments",
    "A.12.5": "Control of operational software",
    "A.12.5.1": "Installation of software on operational systems",
    "A.12.6": "Technical vulnerability management",
    "A.12.6.1": "Management of technical vulnerabilities",
    "A.12.6.2": "Restrictions on software installation",
    "A.14.1": "Security requirements of information systems",
    "A.14.1.1": "Information security requirements analysis and specification",
    "A.14.1.2": "Securing application services on public networks",
    "A.14.1.3": "Protecting application services transactions",
    "A.14.2": "Security in development and support processes",
    "A.14.2.1": "Secure development policy",
    "A.14.2.2": "System change control procedures",
    "A.14.2.3": "Technical review of applications after operating platform changes",
    "A.14.2.4": "Restrictions on changes to software packages",
    "A.14.2.5": "Secure system engineering principles",
    "A.14.2.6": "Secure development environment",
    "A.14.2.7": "Outsourced development",
    "A.14.2.8": "System security testing",
    "A.14.2.9": "System acceptance testing",
    "A.14.3": "Test data",
    "A.14.3.1": "Protection of test data",
    "A.15": "Supplier relationships",
    "A.15.1": "Information security in supplier relationships",
    "A.15.1.1": "Information security policy for supplier relationships",
    "A.15.1.2": "Addressing security within supplier agreements",
    "A.15.1.3": "Information and communication technology supply chain",
    "A.15.2": "Supplier service delivery management",
    "A.15.2.1": "Monitoring and review of supplier services",
    "A.15.2.2": "Managing changes to supplier services",
    "A.18.2.3": "Technical compliance review",
}

# ISO/IEC 27001:2022 Annex A (R2), keyed in the normalised '5.12' form; '5'..'8' are themes.
ISO27001_2022_TITLES: dict[str, str] = {
    "5": "Organisational controls",
    "5.1": "Policies for information security",
    "5.2": "Information security roles and responsibilities",
    "5.3": "Segregation of duties",
    "5.4": "Management responsibilities",
    "5.5": "Contact with authorities",
    "5.6": "Contact with special interest groups",
    "5.7": "Threat intelligence",
    "5.8": "Information security in project management",
    "5.9": "Inventory of information and other associated assets",
    "5.10": "Acceptable use of information and other associated assets",
    "5.11": "Return of assets",
    "5.12": "Classification of information",
    "5.13": "Labelling of information",
    "5.14": "Information transfer",
    "5.15": "Access control",
    "5.16": "Identity management",
    "5.17": "Authentication information",
    "5.18": "Access rights",
    "5.19": "Information security in supplier relationships",
    "5.20": "Addressing information security within supplier agreements",
    "5.21": "Managing information security in the ICT supply chain",
    "5.22": "Monitoring, review and change management of supplier services",
    "5.23": "Information security for use of cloud services",
    "5.24": "Information security incident management planning and preparation",
    "5.25": "Assessment and decision on information security events",
    "5.26": "Response to information security incidents",
    "5.27": "Learning from information security incidents",
    "5.28": "Collection of evidence",
    "5.29": "Information security during disruption",
    "5.30": "ICT readiness for business continuity",
    "5.31": "Legal, statutory, regulatory and contractual requirements",
    "5.32": "Intellectual property rights",
    "5.33": "Protection of records",
    "5.34": "Privacy and protection of PII",
    "5.35": "Independent review of information security",
    "5.36": "Compliance with policies, rules and standards for information security",
    "5.37": "Documented operating procedures",
    "6": "People controls",
    "6.1": "Screening",
    "6.2": "Terms and conditions of employment",
    "6.3": "Information security awareness, education and training",
    "6.4": "Disciplinary process",
    "6.5": "Responsibilities after termination or change of employment",
    "6.6": "Confidentiality or non-disclosure agreements",
    "6.7": "Remote working",
    "6.8": "Information security event reporting",
    "7": "Physical controls",
    "7.1": "Physical security perimeters",
    "7.2": "Physical entry",
    "7.3": "Securing offices, rooms and facilities",
    "7.4": "Physical security monitoring",
    "7.5": "Protecting against physical and environmental threats",
    "7.6": "Working in secure areas",
    "7.7": "Clear desk and clear screen",
    "7.8": "Equipment siting and protection",
    "7.9": "Security of assets off-premises",
    "7.10": "Storage media",
    "7.11": "Supporting utilities",
    "7.12": "Cabling security",
    "7.13": "Equipment maintenance",
    "7.14": "Secure disposal or re-use of equipment",
    "8": "Technological controls",
    "8.1": "User end point devices",
    "8.2": "Privileged access rights",
    "8.3": "Information access restriction",
    "8.4": "Access to source code",
    "8.5": "Secure authentication",
    "8.6": "Capacity management",
    "8.7": "Protection against malware",
    "8.8": "Management of technical vulnerabilities",
    "8.9": "Configuration management",
    "8.10": "Information deletion",
    "8.11": "Data masking",
    "8.12": "Data leakage prevention",
    "8.13": "Information backup",
    "8.14": "Redundancy of information processing facilities",
    "8.15": "Logging",
    "8.16": "Monitoring activities",
    "8.17": "Clock synchronization",
    "8.18": "Use of privileged utility programs",
    "8.19": "Installation of software on operational systems",
    "8.20": "Networks security",
    "8.21": "Security of network services",
    "8.22": "Segregation of networks",
    "8.23": "Web filtering",
    "8.24": "Use of cryptography",
    "8.25": "Secure development life cycle",
    "8.26": "Application security requirements",
    "8.27": "Secure system architecture and engineering principles",
    "8.28": "Secure coding",
    "8.29": "Security testing in development and acceptance",
    "8.30": "Outsourced development",
    "8.31": "Separation of development, test and production environments",
    "8.32": "Change management",
    "8.33": "Test information",
    "8.34": "Protection of information systems during audit testing",
}

# ISO/IEC 42001:2023 Annex A (R3): objectives (A.2, A.6.1, ...) and the 38 controls.
ISO42001_2023_TITLES: dict[str, str] = {
    "A.2": "Policies related to AI",
    "A.2.2": "AI policy",
    "A.2.3": "Alignment with other organizational policies",
    "A.2.4": "Review of the AI policy",
    "A.3": "Internal organization",
    "A.3.2": "AI roles and responsibilities",
    "A.3.3": "Reporting of concerns",
    "A.4": "Resources for AI systems",
    "A.4.2": "Resource documentation",
    "A.4.3": "Data resources",
    "A.4.4": "Tooling resources",
    "A.4.5": "System and computing resources",
    "A.4.6": "Human resources",
    "A.5": "Assessing impacts of AI systems",
    "A.5.2": "AI system impact assessment process",
    "A.5.3": "Documentation of AI system impact assessments",
    "A.5.4": "Assessing AI system impact on individuals or groups of individuals",
    "A.5.5": "Assessing societal impacts of AI systems",
    "A.6": "AI system life cycle",
    "A.6.1": "Management guidance for AI system development",
    "A.6.1.2": "Objectives for responsible development of AI system",
    "A.6.1.3": "Processes for responsible AI system design and development",
    "A.6.2": "AI system life cycle",
    "A.6.2.2": "AI system requirements and specification",
    "A.6.2.3": "Documentation of AI system design and development",
    "A.6.2.4": "AI system verification and validation",
    "A.6.2.5": "AI system deployment",
    "A.6.2.6": "AI system operation and monitoring",
    "A.6.2.7": "AI system technical documentation",
    "A.6.2.8": "AI system recording of event logs",
    "A.7": "Data for AI systems",
    "A.7.2": "Data for development and enhancement of AI system",
    "A.7.3": "Acquisition of data",
    "A.7.4": "Quality of data for AI systems",
    "A.7.5": "Data provenance",
    "A.7.6": "Data preparation",
    "A.8": "Information for interested parties of AI systems",
    "A.8.2": "System documentation and information for users",
    "A.8.3": "External reporting",
    "A.8.4": "Communication of incidents",
    "A.8.5": "Information for interested parties",
    "A.9": "Use of AI systems",
    "A.9.2": "Processes for responsible use of AI systems",
    "A.9.3": "Objectives for responsible use of AI system",
    "A.9.4": "Intended use of the AI system",
    "A.10": "Third-party and customer relationships",
    "A.10.2": "Allocating responsibilities",
    "A.10.3": "Suppliers",
    "A.10.4": "Customers",
}

# NIST AI RMF 1.0 functions, categories and subcategories with their official outcome text (R4).
NIST_AI_RMF_TITLES: dict[str, str] = {
    "GOVERN": "A culture of risk management is cultivated and present.",
    "GOVERN 1": "Policies, processes, procedures, and practices across the organization related to the mapping, measuring, and managing of AI risks are in place, transparent, and implemented effectively.",
    "GOVERN 1.1": "Legal and regulatory requirements involving AI are understood, managed, and documented.",
    "GOVERN 1.2": "The characteristics of trustworthy AI are integrated into organizational policies, processes, procedures, and practices.",
    "GOVERN 1.3": "Processes, procedures, and practices are in place to determine the needed level of risk management activities based on the organization’s risk tolerance.",
    "GOVERN 1.4": "The risk management process and its outcomes are established through transparent policies, procedures, and other controls based on organizational risk priorities.",
    "GOVERN 1.5": "Ongoing monitoring and periodic review of the risk management process and its outcomes are planned and organizational roles and responsibilities clearly defined, including determining the frequency of periodic review.",
    "GOVERN 1.6": "Mechanisms are in place to inventory AI systems and are resourced according to organizational risk priorities.",
    "GOVERN 1.7": "Processes and procedures are in place for decommissioning and phasing out AI systems safely and in a manner that does not increase risks or decrease the organization’s trustworthiness.",
    "GOVERN 2": "Accountability structures are in place so that the appropriate teams and individuals are empowered, responsible, and trained for mapping, measuring, and managing AI risks.",
    "GOVERN 2.1": "Roles and responsibilities and lines of communication related to mapping, measuring, and managing AI risks are documented and are clear to individuals and teams throughout the organization.",
    "GOVERN 2.2": "The organization’s personnel and partners receive AI risk management training to enable them to perform their duties and responsibilities consistent with related policies, procedures, and agreements.",
    "GOVERN 2.3": "Executive leadership of the organization takes responsibility for decisions about risks associated with AI system development and deployment.",
    "GOVERN 3": "Workforce diversity, equity, inclusion, and accessibility processes are prioritized in the mapping, measuring, and managing of AI risks throughout the lifecycle.",
    "GOVERN 3.1": "Decision-making related to mapping, measuring, and managing AI risks throughout the lifecycle is informed by a diverse team (e.g., diversity of demographics, disciplines, experience, expertise, and backgrounds).",
    "GOVERN 3.2": "Policies and procedures are in place to define and differentiate roles and responsibilities for human-AI configurations and oversight of AI systems.",
    "GOVERN 4": "Organizational teams are committed to a culture that considers and communicates AI risk.",
    "GOVERN 4.1": "Organizational policies and practices are in place to foster a critical thinking and safety-first mindset in the design, development, deployment, and uses of AI systems to minimize potential negative impacts.",
    "GOVERN 4.2": "Organizational teams document the risks and potential impacts of the AI technology they design, develop, deploy, evaluate, and use, and they communicate about the impacts more broadly.",
    "GOVERN 4.3": "Organizational practices are in place to enable AI testing, identification of incidents, and information sharing.",
    "GOVERN 5": "Processes are in place for robust engagement with relevant AI actors.",
    "GOVERN 5.1": "Organizational policies and practices are in place to collect, consider, prioritize, and integrate feedback from those external to the team that developed or deployed the AI system regarding the potential individual and societal impacts related to AI risks.",
    "GOVERN 5.2": "Mechanisms are established to enable the team that developed or deployed AI systems to regularly incorporate adjudicated feedback from relevant AI actors into system design and implementation.",
    "GOVERN 6": "Policies and procedures are in place to address AI risks and benefits arising from third-party software and data and other supply chain issues.",
    "GOVERN 6.1": "Policies and procedures are in place that address AI risks associated with third-party entities, including risks of infringement of a third-party’s intellectual property or other rights.",
    "GOVERN 6.2": "Contingency processes are in place to handle failures or incidents in third-party data or AI systems deemed to be high-risk.",
    "MAP": "Context is recognized and risks related to context are identified.",
    "MAP 1": "Context is established and understood.",
    "MAP 1.1": "Intended purposes, potentially beneficial uses, context-specific laws, norms and expectations, and prospective settings in which the AI system will be deployed are understood and documented. Considerations include: the specific set or types of users along with their expectations; potential positive and negative impacts of system uses to individuals, communities, organizations, society, and the planet; assumptions and related limitations about AI system purposes, uses, and risks across the development or product AI lifecycle; and related TEVV and system metrics.",
    "MAP 1.2": "Interdisciplinary AI actors, competencies, skills, and capacities for establishing context reflect demographic diversity and broad domain and user experience expertise, and their participation is documented. Opportunities for interdisciplinary collaboration are prioritized.",
    "MAP 1.3": "The organization’s mission and relevant goals for AI technology are understood and documented.",
    "MAP 1.4": "The business value or context of business use has been clearly defined or – in the case of assessing existing AI systems – re-evaluated.",
    "MAP 1.5": "Organizational risk tolerances are determined and documented.",
    "MAP 1.6": "System requirements (e.g., “the system shall respect the privacy of its users”) are elicited from and understood by relevant AI actors. Design decisions take socio-technical implications into account to address AI risks.",
    "MAP 2": "Categorization of the AI system is performed.",
    "MAP 2.1": "The specific tasks and methods used to implement the tasks that the AI system will support are defined (e.g., classifiers, generative models, recommenders).",
    "MAP 2.2": "Information about the AI system’s knowledge limits and how system output may be utilized and overseen by humans is documented. Documentation provides sufficient information to assist relevant AI actors when making decisions and taking subsequent actions.",
    "MAP 2.3": "Scientific integrity and TEVV considerations are identified and documented, including those related to experimental design, data collection and selection (e.g., availability, representativeness, suitability), system trustworthiness, and construct validation.",
    "MAP 3": "AI capabilities, targeted usage, goals, and expected benefits and costs compared with appropriate benchmarks are understood.",
    "MAP 3.1": "Potential benefits of intended AI system functionality and performance are examined and documented.",
    "MAP 3.2": "Potential costs, including non-monetary costs, which result from expected or realized AI errors or system functionality and trustworthiness – as connected to organizational risk tolerance – are examined and documented.",
    "MAP 3.3": "Targeted application scope is specified and documented based on the system’s capability, established context, and AI system categorization.",
    "MAP 3.4": "Processes for operator and practitioner proficiency with AI system performance and trustworthiness – and relevant technical standards and certifications – are defined, assessed, and documented.",
    "MAP 3.5": "Processes for human oversight are defined, assessed, and documented in accordance with organizational policies from the GOVERN function.",
    "MAP 4": "Risks and benefits are mapped for all components of the AI system including third-party software and data.",
    "MAP 4.1": "Approaches for mapping AI technology and legal risks of its components – including the use of third-party data or software – are in place, followed, and documented, as are risks of infringement of a third party’s intellectual property or other rights.",
    "MAP 4.2": "Internal risk controls for components of the AI system, including third-party AI technologies, are identified and documented.",
    "MAP 5": "Impacts to individuals, groups, communities, organizations, and society are characterized.",
    "MAP 5.1": "Likelihood and magnitude of each identified impact (both potentially beneficial and harmful) based on expected use, past uses of AI systems in similar contexts, public incident reports, feedback from those external to the team that developed or deployed the AI system, or other data are identified and documented.",
    "MAP 5.2": "Practices and personnel for supporting regular engagement with relevant AI actors and integrating feedback about positive, negative, and unanticipated impacts are in place and documented.",
    "MEASURE": "Identified risks are assessed, analyzed, or tracked.",
    "MEASURE 1": "Appropriate methods and metrics are identified and applied.",
    "MEASURE 1.1": "Approaches and metrics for measurement of AI risks enumerated during the MAP function are selected for implementation starting with the most significant AI risks. The risks or trustworthiness characteristics that will not – or cannot – be measured are properly documented.",
    "MEASURE 1.2": "Appropriateness of AI metrics and effectiveness of existing controls are regularly assessed and updated, including reports of errors and potential impacts on affected communities.",
    "MEASURE 1.3": "Internal experts who did not serve as front-line developers for the system and/or independent assessors are involved in regular assessments and updates. Domain experts, users, AI actors external to the team that developed or deployed the AI system, and affected communities are consulted in support of assessments as necessary per organizational risk tolerance.",
    "MEASURE 2": "AI systems are evaluated for trustworthy characteristics.",
    "MEASURE 2.1": "Test sets, metrics, and details about the tools used during TEVV are documented.",
    "MEASURE 2.2": "Evaluations involving human subjects meet applicable requirements (including human subject protection) and are representative of the relevant population.",
    "MEASURE 2.3": "AI system performance or assurance criteria are measured qualitatively or quantitatively and demonstrated for conditions similar to deployment setting(s). Measures are documented.",
    "MEASURE 2.4": "The functionality and behavior of the AI system and its components – as identified in the MAP function – are monitored when in production.",
    "MEASURE 2.5": "The AI system to be deployed is demonstrated to be valid and reliable. Limitations of the generalizability beyond the conditions under which the technology was developed are documented.",
    "MEASURE 2.6": "The AI system is evaluated regularly for safety risks – as identified in the MAP function. The AI system to be deployed is demonstrated to be safe, its residual negative risk does not exceed the risk tolerance, and it can fail safely, particularly if made to operate beyond its knowledge limits. Safety metrics reflect system reliability and robustness, real-time monitoring, and response times for AI system failures.",
    "MEASURE 2.7": "AI system security and resilience – as identified in the MAP function – are evaluated and documented.",
    "MEASURE 2.8": "Risks associated with transparency and accountability – as identified in the MAP function – are examined and documented.",
    "MEASURE 2.9": "The AI model is explained, validated, and documented, and AI system output is interpreted within its context – as identified in the MAP function – to inform responsible use and governance.",
    "MEASURE 2.10": "Privacy risk of the AI system – as identified in the MAP function – is examined and documented.",
    "MEASURE 2.11": "Fairness and bias – as identified in the MAP function – are evaluated and results are documented.",
    "MEASURE 2.12": "Environmental impact and sustainability of AI model training and management activities – as identified in the MAP function – are assessed and documented.",
    "MEASURE 2.13": "Effectiveness of the employed TEVV metrics and processes in the MEASURE function are evaluated and documented.",
    "MEASURE 3": "Mechanisms for tracking identified AI risks over time are in place.",
    "MEASURE 3.1": "Approaches, personnel, and documentation are in place to regularly identify and track existing, unanticipated, and emergent AI risks based on factors such as intended and actual performance in deployed contexts.",
    "MEASURE 3.2": "Risk tracking approaches are considered for settings where AI risks are difficult to assess using currently available measurement techniques or where metrics are not yet available.",
    "MEASURE 3.3": "Feedback processes for end users and impacted communities to report problems and appeal system outcomes are established and integrated into AI system evaluation metrics.",
    "MEASURE 4": "Feedback about efficacy of measurement is gathered and assessed.",
    "MEASURE 4.1": "Measurement approaches for identifying AI risks are connected to deployment context(s) and informed through consultation with domain experts and other end users. Approaches are documented.",
    "MEASURE 4.2": "Measurement results regarding AI system trustworthiness in deployment context(s) and across the AI lifecycle are informed by input from domain experts and relevant AI actors to validate whether the system is performing consistently as intended. Results are documented.",
    "MEASURE 4.3": "Measurable performance improvements or declines based on consultations with relevant AI actors, including affected communities, and field data about context-relevant risks and trustworthiness characteristics are identified and documented.",
    "MANAGE": "Risks are prioritized and acted upon based on a projected impact.",
    "MANAGE 1": "AI risks based on assessments and other analytical output from the MAP and MEASURE functions are prioritized, responded to, and managed.",
    "MANAGE 1.1": "A determination is made as to whether the AI system achieves its intended purposes and stated objectives and whether its development or deployment should proceed.",
    "MANAGE 1.2": "Treatment of documented AI risks is prioritized based on impact, likelihood, and available resources or methods.",
    "MANAGE 1.3": "Responses to the AI risks deemed high priority, as identified by the MAP function, are developed, planned, and documented. Risk response options can include mitigating, transferring, avoiding, or accepting.",
    "MANAGE 1.4": "Negative residual risks (defined as the sum of all unmitigated risks) to both downstream acquirers of AI systems and end users are documented.",
    "MANAGE 2": "Strategies to maximize AI benefits and minimize negative impacts are planned, prepared, implemented, documented, and informed by input from relevant AI actors.",
    "MANAGE 2.1": "Resources required to manage AI risks are taken into account – along with viable non-AI alternative systems, approaches, or methods – to reduce the magnitude or likelihood of potential impacts.",
    "MANAGE 2.2": "Mechanisms are in place and applied to sustain the value of deployed AI systems.",
    "MANAGE 2.3": "Procedures are followed to respond to and recover from a previously unknown risk when it is identified.",
    "MANAGE 2.4": "Mechanisms are in place and applied, and responsibilities are assigned and understood, to supersede, disengage, or deactivate AI systems that demonstrate performance or outcomes inconsistent with intended use.",
    "MANAGE 3": "AI risks and benefits from third-party entities are managed.",
    "MANAGE 3.1": "AI risks and benefits from third-party resources are regularly monitored, and risk controls are applied and documented.",
    "MANAGE 3.2": "Pre-trained models which are used for development are monitored as part of AI system regular monitoring and maintenance.",
    "MANAGE 4": "Risk treatments, including response and recovery, and communication plans for the identified and measured AI risks are documented and monitored regularly.",
    "MANAGE 4.1": "Post-deployment AI system monitoring plans are implemented, including mechanisms for capturing and evaluating input from users and other relevant AI actors, appeal and override, decommissioning, incident response, recovery, and change management.",
    "MANAGE 4.2": "Measurable activities for continual improvements are integrated into AI system updates and include regular engagement with interested parties, including relevant AI actors.",
    "MANAGE 4.3": "Incidents and errors are communicated to relevant AI actors, including affected communities. Processes for tracking, responding to, and recovering from incidents and errors are followed and documented.",
}


# EU AI Act article and annex titles (E); paragraphs and points share their article's title.
EU_AI_ACT_TITLES: dict[str, str] = {
    "Art.9": "Risk management system",
    "Art.10": "Data and data governance",
    "Art.11": "Technical documentation",
    "Art.12": "Record-keeping",
    "Art.13": "Transparency and provision of information to deployers",
    "Art.14": "Human oversight",
    "Art.15": "Accuracy, robustness and cybersecurity",
    "Art.16": "Obligations of providers of high-risk AI systems",
    "Art.17": "Quality management system",
    "Art.18": "Documentation keeping",
    "Art.19": "Automatically generated logs",
    "Art.25": "Responsibilities along the AI value chain",
    "Art.26": "Obligations of deployers of high-risk AI systems",
    "Art.42": "Presumption of conformity with certain requirements",
    "Art.50": "Transparency obligations for providers and deployers of certain AI systems",
    "Art.53": "Obligations for providers of general-purpose AI models",
    "Art.55": "Obligations for providers of general-purpose AI models with systemic risk",
    "Art.72": "Post-market monitoring by providers and post-market monitoring plan for high-risk AI systems",
    "Art.73": "Reporting of serious incidents",
    "Annex IV": "Technical documentation referred to in Article 11(1)",
    "Annex XI": "Technical documentation referred to in Article 53(1), point (a)",
    "Annex XII": "Transparency information referred to in Article 53(1), point (b)",
}
_EU_ARTICLE_COUNT = 113
_EU_ANNEXES = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")

# Shape of ISO/IEC 27001:2013 Annex A: control objective -> number of controls (114 in all).
# Lets us reject ids that do not exist (A.99.1, A.8.2.9) even where we hold no title.
_ISO27001_2013_LAYOUT: dict[str, int] = {
    "5.1": 2, "6.1": 5, "6.2": 2, "7.1": 2, "7.2": 3, "7.3": 1, "8.1": 4, "8.2": 3, "8.3": 3,
    "9.1": 2, "9.2": 6, "9.3": 1, "9.4": 5, "10.1": 2, "11.1": 6, "11.2": 9, "12.1": 4,
    "12.2": 1, "12.3": 1, "12.4": 4, "12.5": 1, "12.6": 2, "12.7": 1, "13.1": 3, "13.2": 4,
    "14.1": 3, "14.2": 9, "14.3": 1, "15.1": 3, "15.2": 2, "16.1": 7, "17.1": 3, "17.2": 1,
    "18.1": 5, "18.2": 3,
}  # fmt: skip


def _iso27001_2013_ids() -> tuple[list[str], set[str]]:
    controls: list[str] = []
    groups: set[str] = set()
    for objective, count in _ISO27001_2013_LAYOUT.items():
        groups.add(f"A.{objective}")
        groups.add(f"A.{objective.split('.')[0]}")
        controls.extend(f"A.{objective}.{n}" for n in range(1, count + 1))
    return controls, groups


_ISO27001_2013_CONTROLS, _ISO27001_2013_GROUPS = _iso27001_2013_ids()

# ISO/IEC 27001:2013 -> 2022 correspondences for the seed themes (frameworks.md M1), including
# the ISO/IEC 27002:2022 Annex B links that the S1 mapping file lacks (A.12.6.2, A.14.2.3/4,
# A.18.2.3 -> 8.8).
ISO27001_2013_TO_2022: dict[str, tuple[str, ...]] = {
    "A.8.1.3": ("5.10",),
    "A.8.2.1": ("5.12",),
    "A.8.2.2": ("5.13",),
    "A.8.2.3": ("5.10",),
    "A.12.1.2": ("8.32",),
    "A.12.1.4": ("8.31",),
    "A.12.5.1": ("8.19",),
    "A.12.6.1": ("8.8",),
    "A.12.6.2": ("8.19",),
    "A.14.1.1": ("5.8",),
    "A.14.1.2": ("8.26",),
    "A.14.1.3": ("8.26",),
    "A.14.2.1": ("8.25",),
    "A.14.2.2": ("8.32",),
    "A.14.2.3": ("8.32",),
    "A.14.2.4": ("8.32",),
    "A.14.2.5": ("8.27",),
    "A.14.2.6": ("8.31",),
    "A.14.2.7": ("8.30",),
    "A.14.2.8": ("8.29",),
    "A.14.2.9": ("8.29",),
    "A.14.3.1": ("8.33",),
    "A.15.1.1": ("5.19",),
    "A.15.1.2": ("5.20",),
    "A.15.1.3": ("5.21",),
    "A.15.2.1": ("5.22",),
    "A.15.2.2": ("5.22",),
    "A.18.2.3": ("5.36", "8.8"),
}

_NIST_ID = re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE)(?:[\s-]*(\d+(?:\.\d+)?))?$", re.IGNORECASE)
_EU_ARTICLE = re.compile(r"^(?:Art\.?|Article)\s*(\d{1,3})\s*((?:\([0-9a-z]+\))*)$", re.IGNORECASE)
_EU_ANNEX = re.compile(r"^Annex\s+([IVXivx]+)(?:\s+(\S.*))?$", re.IGNORECASE)


def control_sort_key(control: str) -> tuple[int, ...]:
    """Sort key putting A.5.9 before A.5.10 (numeric, not lexical, order)."""
    return tuple(int(part) for part in re.findall(r"\d+", control))


def canonical_framework(name: str) -> str | None:
    """Canonical framework key ('iso27001' -> 'ISO27001'), or None when unknown."""
    return _FRAMEWORK_ALIASES.get(name.strip().lower())


def normalize_control(framework: str, edition: str, control: str) -> str:
    """Canonical spelling of a control id: '5.12' for ISO27001:2022, 'Art.10(2)' for the AI Act."""
    fw = canonical_framework(framework) or framework
    text = " ".join(control.split())
    if fw in ("ISO27001", "ISO42001"):
        if text[:2] in ("a.", "A."):
            text = "A." + text[2:]
        if fw == "ISO27001" and edition == "2022" and text.startswith("A."):
            text = text[2:]  # 2022 ids are kept in the '5.12' form
        return text
    if fw == "NIST-AI-RMF":
        match = _NIST_ID.match(text)
        if match:
            function, number = match.groups()
            return f"{function.upper()} {number}" if number else function.upper()
        return text
    if fw == "EU-AI-Act":
        article = _EU_ARTICLE.match(text)
        if article:
            return f"Art.{int(article.group(1))}{article.group(2).lower()}"
        annex = _EU_ANNEX.match(text)
        if annex:
            detail = f" {annex.group(2)}" if annex.group(2) else ""
            return f"Annex {annex.group(1).upper()}{detail}"
    return text


def _eu_base(control: str) -> str | None:
    """'Art.10(2)(b)' -> 'Art.10', 'Annex IV 2(d)' -> 'Annex IV'; None when malformed."""
    article = _EU_ARTICLE.match(control)
    if article:
        number = int(article.group(1))
        return f"Art.{number}" if 1 <= number <= _EU_ARTICLE_COUNT else None
    annex = _EU_ANNEX.match(control)
    if annex and annex.group(1).upper() in _EU_ANNEXES:
        return f"Annex {annex.group(1).upper()}"
    return None


def _titles(framework: str, edition: str) -> dict[str, str] | None:
    return {
        ("ISO27001", "2013"): ISO27001_2013_TITLES,
        ("ISO27001", "2022"): ISO27001_2022_TITLES,
        ("ISO42001", "2023"): ISO42001_2023_TITLES,
        ("NIST-AI-RMF", "1.0"): NIST_AI_RMF_TITLES,
        ("EU-AI-Act", "2024"): EU_AI_ACT_TITLES,
    }.get((framework, edition))


def control_title(framework: str, edition: str, control: str) -> str | None:
    """Title of a control in one edition, or None when unknown or not held in our tables."""
    fw = canonical_framework(framework)
    if fw is None:
        return None
    titles = _titles(fw, edition.strip())
    if titles is None:
        return None
    key = normalize_control(fw, edition.strip(), control)
    if fw == "EU-AI-Act":
        base = _eu_base(key)
        return EU_AI_ACT_TITLES.get(base) if base else None
    return titles.get(key)


def is_known_control(framework: str, edition: str, control: str) -> bool:
    """True when the control exists in that edition (AI Act: a well-formed article or annex)."""
    fw = canonical_framework(framework)
    ed = edition.strip()
    if fw is None or ed not in KNOWN_EDITIONS[fw]:
        return False
    key = normalize_control(fw, ed, control)
    if fw == "ISO27001" and ed == "2013":
        return key in _ISO27001_2013_GROUPS or key in _ISO27001_2013_CONTROLS
    if fw == "EU-AI-Act":
        return _eu_base(key) is not None
    titles = _titles(fw, ed)
    return titles is not None and key in titles


def controls_in(framework: str, edition: str) -> list[str]:
    """Leaf controls of an edition in document order (e.g. the 38 of ISO42001:2023 Annex A)."""
    fw = canonical_framework(framework)
    if fw == "ISO27001" and edition == "2013":
        return sorted(_ISO27001_2013_CONTROLS, key=control_sort_key)
    titles = _titles(fw, edition) if fw else None
    if titles is None or fw == "EU-AI-Act":
        return []
    keys = list(titles)
    separator = " " if fw == "NIST-AI-RMF" else "."
    leaves = [k for k in keys if not any(other.startswith(k + ".") for other in keys)]
    # Functions/themes alone ('GOVERN', '5') are groupings, never controls.
    return [k for k in leaves if separator in k]


def family_of(ref: ControlRef) -> str:
    """Grouping label one level above the control: A.8.2.1 -> A.8.2, A.7.5 -> A.7, 8.2 -> A.8."""
    fw = canonical_framework(ref.framework) or ref.framework
    control = normalize_control(fw, ref.edition, ref.control)
    if fw == "ISO27001" and ref.edition == "2022":
        return f"A.{control.split('.')[0]}"
    if fw in ("ISO27001", "ISO42001"):
        parts = control.split(".")
        return ".".join(parts[:-1]) if len(parts) > 2 else control
    if fw == "NIST-AI-RMF":
        return control.split(".")[0]
    if fw == "EU-AI-Act":
        return _eu_base(control) or control
    return control


def iso27001_2022_for_2013(control: str) -> frozenset[str]:
    """2022 controls that a 2013 control (or objective, e.g. A.8.2) maps to; empty if unmapped."""
    key = normalize_control("ISO27001", "2013", control)
    targets: set[str] = set()
    for old, new in ISO27001_2013_TO_2022.items():
        if old == key or old.startswith(key + "."):
            targets.update(new)
    return frozenset(targets)


def ref_problem(ref: ControlRef) -> str | None:
    """Why a reference cannot be accepted (unknown framework, edition or control), else None."""
    fw = canonical_framework(ref.framework)
    if fw is None:
        known = ", ".join(KNOWN_EDITIONS)
        return f"unknown framework {ref.framework!r} in {str(ref)!r}; known: {known}"
    if ref.edition not in KNOWN_EDITIONS[fw]:
        editions = ", ".join(KNOWN_EDITIONS[fw])
        return f"unknown edition {fw}:{ref.edition} in {str(ref)!r}; known editions: {editions}"
    if is_known_control(fw, ref.edition, ref.control):
        return None
    hint = ""
    control = normalize_control(fw, ref.edition, ref.control)
    depth = len(control_sort_key(control))
    if fw == "ISO27001" and ref.edition == "2022" and depth == 3:
        hint = " (three-level ids such as A.8.2.1 are 2013 numbering; 2022 uses e.g. 5.12)"
    elif fw == "ISO27001" and ref.edition == "2013" and not control.startswith("A."):
        hint = " (2013 Annex A ids are written like A.8.2.1; ids like 5.12 are 2022 numbering)"
    return f"{str(ref)!r} is not a control of {fw}:{ref.edition}{hint}"


def parse_ref(text: str) -> ControlRef:
    """Parse, normalise and check 'FRAMEWORK:EDITION CONTROL'; ValueError says what is wrong."""
    raw = ControlRef.parse(text)
    fw = canonical_framework(raw.framework) or raw.framework
    edition = raw.edition.strip()
    # Checked as written so the message quotes the user's spelling, then stored normalised.
    problem = ref_problem(ControlRef(framework=fw, edition=edition, control=raw.control))
    if problem:
        raise ValueError(problem)
    control = normalize_control(fw, edition, raw.control)
    title = control_title(fw, edition, control)
    return ControlRef(framework=fw, edition=edition, control=control, title=title)


def edition_pair_problem(refs: Iterable[ControlRef]) -> str | None:
    """Flag ISO27001:2013 refs whose 2022 counterparts (M1 mapping) are absent from the 2022 refs.

    Catches edition mix-ups such as 2013 A.8.2.1 (classification) cited with 2022 8.2
    (privileged access rights). 2013 controls outside the mapping table are not judged.
    """
    refs = list(refs)
    old = [r for r in refs if r.framework == "ISO27001" and r.edition == "2013"]
    new = {r.control for r in refs if r.framework == "ISO27001" and r.edition == "2022"}
    if not old or not new:
        return None
    for ref in old:
        targets = iso27001_2022_for_2013(ref.control)
        if targets and not targets & new:
            expected = ", ".join(sorted(targets, key=control_sort_key))
            cited = ", ".join(sorted(new, key=control_sort_key))
            return (
                f"{ref} corresponds to ISO27001:2022 {expected}, but the 2022 refs are {cited}; "
                "the 2013 and 2022 refs do not match (check the editions)"
            )
    return None


__all__ = [
    "EU_AI_ACT_TITLES",
    "ISO27001_2013_TITLES",
    "ISO27001_2013_TO_2022",
    "ISO27001_2022_TITLES",
    "ISO42001_2023_TITLES",
    "KNOWN_EDITIONS",
    "NIST_AI_RMF_TITLES",
    "canonical_framework",
    "control_sort_key",
    "control_title",
    "controls_in",
    "edition_pair_problem",
    "family_of",
    "is_known_control",
    "iso27001_2022_for_2013",
    "normalize_control",
    "parse_ref",
    "ref_problem",
]
