"""The cue lexicon: which wording denies, hedges, permits or restricts a practice."""

from __future__ import annotations

import pytest

from reviewer.drafting.cues import (
    admits_possibility,
    advice_hedges,
    asks_for_assurance,
    asks_for_commercial_use,
    asks_for_disclosure,
    asks_for_obligation,
    asks_for_opt_in,
    asks_for_right,
    asks_for_risk_statement,
    asks_for_time,
    disclaims_assurance,
    governing_clause,
    is_ability,
    is_instruction,
    is_prohibitive,
    offers_opt_out,
    read_cues,
    restricts_commercial_use,
    states_absence,
    states_time,
)
from reviewer.drafting.extractive import Sentence
from reviewer.drafting.synonyms import canonical
from reviewer.store.lexical import stem


@pytest.mark.parametrize(
    "sentence",
    [
        "The model has not been evaluated against adversarial inputs.",
        "The vendor does not test its models for membership inference.",
        "We do not currently document the lineage of fine-tuning data.",
        "Training data sets are unclassified.",
        "Adversarial robustness is out of scope for this release.",
        "There is no formal process for reclassifying data sets.",
        'The preview is provided "AS IS", without warranty of any kind.',
        "This policy is a draft and has not been approved.",
        # Exclusions as terms and security policies word them (real-document dev set).
        "Neither the vendor nor its affiliates give any express warranties about the preview.",
        "The preview is not subject to an uptime guarantee or service level agreement.",
        "The provider is not obligated to provide maintenance or security updates.",
        "IBM is under no obligation to provide enhancements, updates, or support.",
        "The authors make no representations about the accuracy of the outputs.",
        "None of the distributed primitives include any authorization protocol.",
        "Third-party integrations are not eligible for the bug bounty.",
        "We do not currently recommend the model for commercial use.",
        "The models are not specifically designed or evaluated for all downstream purposes.",
        "The preprocessing software is currently unavailable publicly.",
        "The provider shall not be liable for the loss of user data.",
        "The operator accepts no liability for the accuracy of the content.",
        "The computed values may change at any time.",
        "The licensing status of the source data is unclear.",
        "Evaluations were run with the to-do commit of the harness.",
        "Example-wise license information is not (yet) included in this dataset.",
        # Fresh real-document dev folders (fifth session).
        "There are no reliable methods available to detect malicious models.",
        "We did not manually verify the language labels for every language.",
        "We advise against employing the models for commercial purposes.",
    ],
)
def test_denials_of_a_practice_are_negations(sentence: str) -> None:
    assert read_cues(sentence).negation


@pytest.mark.parametrize(
    "sentence",
    [
        "Using a supplier does not weaken the protection of company information.",
        "The addendum does not replace the master agreement.",
        "Every data set must be classified before use.",
        "The drafting committee meets every month.",
        "Users may opt out at any time.",
        "Customer data will not be used for training.",
    ],
)
def test_negating_a_harm_or_a_substitution_is_not_a_denial(sentence: str) -> None:
    assert read_cues(sentence).negation == []


def test_can_alone_reads_as_ability_and_may_as_an_option() -> None:
    assert is_ability(read_cues("A model can memorise parts of its training data."))
    assert not is_ability(read_cues("Teams may run adversarial tests before release."))
    assert read_cues("Teams may run adversarial tests before release.").permission == ["may"]


def test_restrictive_may_grants_nothing() -> None:
    cues = read_cues("Data may enter the training store only through the approved pipeline.")
    assert "may" not in cues.permission
    assert cues.prohibiting


def test_hedge_future_and_obligation() -> None:
    assert read_cues("Teams should consider red teaming where feasible.").hedge
    assert read_cues("Lineage tracking is planned for Q3.").future
    assert read_cues("Contracts shall prohibit training on company data.").obligation


def test_encouragement_and_conditional_advice_are_hedges() -> None:
    """Fifth session, from real-document dev errors: "we encourage you to disclose" does not make
    disclosure mandatory, and "if you plan to open your model to untrusted inputs" is a condition
    on the reader, not the writer's plan."""
    assert read_cues("We encourage you to disclose its use and explain your process.").hedge
    cues = read_cues("If you plan to open your model to untrusted inputs, be aware of the risks.")
    assert cues.future == [] and cues.hedge == ["plan to"]
    assert read_cues("If applicable, prepare your model against prompt injection.").hedge
    assert read_cues("We plan to open the model to external red teams.").future


def test_will_be_describes_behaviour_unless_it_names_a_rollout() -> None:
    behaviour = "Deployments set to auto-update will be automatically updated to the new version."
    assert read_cues(behaviour).future == []
    assert read_cues("Lineage tracking will be introduced next quarter.").future


def test_criteria_that_ask_for_a_prohibition_or_a_right() -> None:
    assert is_prohibitive("Customer data must not be used to train the provider's models.")
    assert is_prohibitive("Use of collected data is limited to providing the service.")
    assert is_prohibitive("Production data can enter training only through a logged route.")
    assert not is_prohibitive("Query patterns are monitored for attacks, not only for drift.")
    assert is_prohibitive("Reporters are asked not to disclose the issue publicly.")
    assert not is_prohibitive("Model versions are recorded in a registry.")
    assert asks_for_right("The agreement gives customers a right to object to sub-processors.")
    assert not asks_for_right("Model versions are recorded in a registry.")


def test_cues_are_read_in_the_clause_about_the_criterion() -> None:
    sentence = "Bias testing is performed quarterly, but drift monitoring has not been set up"
    assert governing_clause(sentence, "drift monitoring") == "drift monitoring has not been set up"
    assert governing_clause(sentence, "bias testing") == "Bias testing is performed quarterly"


def test_auditor_synonyms_fold_to_one_token() -> None:
    assert canonical(stem("vendor")) == canonical(stem("supplier")) == canonical(stem("providers"))
    assert canonical(stem("agreement")) == canonical(stem("contract"))
    assert canonical(stem("lineage")) == canonical(stem("provenance"))
    assert canonical(stem("declared")) == canonical(stem("disclose"))
    assert canonical(stem("malicious")) == canonical(stem("malware"))
    assert canonical(stem("prompts")) == canonical(stem("input"))
    assert canonical(stem("registry")) == stem("registry")  # not in any group


def test_criteria_that_ask_for_limitations_to_be_disclosed() -> None:
    assert asks_for_disclosure("The model card states known limitations and out-of-scope uses.")
    assert not asks_for_disclosure("Model versions are recorded in a registry.")


def test_consent_first_criteria_and_opt_out_wording() -> None:
    """Sixth session: "no telemetry unless the user enables it" asks for opt-in; "users can
    disable telemetry" offers the opposite default."""
    assert asks_for_opt_in("No usage telemetry is sent unless the user explicitly enables it.")
    assert asks_for_opt_in("Customer content is used for training only with prior consent.")
    assert asks_for_opt_in("Crash reporting is off by default.")
    assert not asks_for_opt_in("Usage telemetry is documented.")
    assert offers_opt_out("Users can disable telemetry by setting an environment variable.")
    assert offers_opt_out("Customers may opt out of training at any time.")
    assert offers_opt_out("Analytics are enabled by default.")
    assert not offers_opt_out("Telemetry is sent only after the user opts in.")


def test_criteria_that_ask_for_a_stated_time() -> None:
    assert asks_for_time("Reports are acknowledged within a stated time.")
    assert asks_for_time("A maximum retention period for chat history is defined.")
    assert asks_for_time("Remediation time limits by severity are defined.")
    assert not asks_for_time("Reports are acknowledged.")
    assert states_time("We acknowledge reports within 48 hours.")
    assert states_time("Chats are deleted after thirty days.")
    assert states_time("Access rights are reviewed quarterly.")
    assert not states_time("A maintainer will acknowledge your report and keep you informed.")


def test_a_criterion_asking_for_an_obligation() -> None:
    assert asks_for_obligation("Regression testing by the customer is required before adoption.")
    assert asks_for_obligation("Suppliers must notify incidents.")
    assert not asks_for_obligation("A new model version can be tested before it becomes default.")


def test_details_deferred_to_a_paper_are_a_hedge() -> None:
    assert read_cues("The evaluation details are presented in the paper.").hedge
    assert read_cues("Please refer to the research paper for details on this.").hedge
    assert not read_cues("The evaluation used word error rate on FLEURS.").hedge


@pytest.mark.parametrize(
    ("criterion", "asks"),
    [
        ("The supplier commits to providing maintenance or security updates", True),
        ("Bit-exact numerical results are guaranteed across minor releases", True),
        ("An availability commitment or SLA is given", True),
        ("The supplier assures that its safeguards are effective against misuse", True),
        ("Maintenance and security updates are provided", False),
        ("Known limitations are disclosed", False),
    ],
)
def test_criteria_asking_for_an_assurance(criterion: str, asks: bool) -> None:
    assert asks_for_assurance(criterion) is asks


def test_commercial_use_criteria_and_non_commercial_licences() -> None:
    assert asks_for_commercial_use("Each data set's licence allows commercial use")
    assert not asks_for_commercial_use("The model is not used for commercial purposes")
    assert not asks_for_commercial_use("Non-commercial use is documented")
    assert restricts_commercial_use("The corpus may be used for non-commercial research.")
    assert restricts_commercial_use("Released under CC-BY-NC-4.0.")
    assert restricts_commercial_use("For research use only.")
    assert restricts_commercial_use("Released under the Apache 2.0 licence.") is None


def test_a_criterion_asking_whether_commercial_use_is_stated_asks_for_a_statement() -> None:
    assert not asks_for_commercial_use("Whether commercial use is allowed is stated")
    assert not asks_for_commercial_use("Commercial use restrictions are documented")
    assert asks_for_commercial_use("The intended use covers commercial deployment")


def test_an_instruction_to_the_reader_is_not_a_disclaimer() -> None:
    assert is_instruction("**Do not disclose it as a public issue.** This gives us time.")
    assert is_instruction("Please don't open a public issue.")
    assert not is_instruction("GitHub does not guarantee any uptime.")


def test_a_disclaimer_names_the_assurance_it_denies() -> None:
    text = "Neither Acme nor its partners give any express warranties about availability."
    assert disclaims_assurance(text, read_cues(text).negation)
    assert disclaims_assurance("It is not obligated to ship updates.", ["is not obligated"])
    text = "Acme's data commitment: we do not train models on customer data."
    assert not disclaims_assurance(text, ["do not train"])


def test_a_criterion_asking_whether_something_is_stated_takes_a_no_as_an_answer() -> None:
    assert asks_for_disclosure("It is stated whether the tool itself collects user data")
    assert not asks_for_disclosure("The tool collects no user data")


def test_a_commitment_to_refrain_is_a_prohibition_even_when_asked_to_be_stated() -> None:
    assert is_prohibitive("The supplier's commitment not to train on customer data is stated")
    assert not is_prohibitive("Prohibited uses are stated")  # a restriction written down
    # ... and denying what it refrains from does not disclaim an assurance
    assert not asks_for_assurance("The supplier commits not to train on customer data")
    assert asks_for_assurance("The supplier commits to an uptime service level")


@pytest.mark.parametrize(
    ("criterion", "absence"),
    [
        ("The model does not produce violence-related content", True),
        ("No LLM provider retains the context after processing", True),
        ("Individuals cannot be identified from the training data", True),
        ("The training data contains no personal data", True),
        # a negation inside a condition, a purpose, a relative clause or a check
        ("A fallback channel exists if the primary one cannot be used", False),
        ("An administrator can disable the feature so that no data is sent", False),
        ("Submissions that were not tested have a stated consequence", False),
        ("Contributors must confirm the code does not infringe licences", False),
        ("Attack patterns are monitored, not only drift", False),
        ("Model versions are recorded", False),
    ],
)
def test_an_absence_criterion_asks_for_something_not_to_happen(
    criterion: str, absence: bool
) -> None:
    assert states_absence(criterion) is absence


def test_an_admission_that_something_can_happen_is_found() -> None:
    assert admits_possibility("The model is capable of producing 3D assets of weapons.") == (
        "is capable of"
    )
    assert admits_possibility("The provider may keep the context for 30 days.") == "may"
    assert admits_possibility("The context cannot be kept.") is None
    assert admits_possibility("Context is deleted after processing.") is None


def test_an_effort_is_a_hedge_not_a_commitment() -> None:
    assert read_cues("We will endeavor to preserve backwards compatibility.").hedge == ["endeavor"]
    assert read_cues("We will attempt to provide conversion tools.").hedge == ["attempt to"]
    assert read_cues("The vendor uses commercially reasonable efforts to patch.").hedge
    assert not read_cues("We will preserve backwards compatibility for two versions.").hedge


def test_contractions_are_read_as_the_denials_they_spell() -> None:
    assert read_cues("Ray doesn't implement access controls for developers.").negation == [
        "does not implement"
    ]
    assert read_cues("You don't have to disclose your usage of AI.").negation
    assert read_cues("We won't train on your code.").prohibiting == ["will not"]
    assert read_cues("You can't opt out of telemetry.").prohibiting[0] == "cannot"


def test_a_criterion_asking_for_a_risk_to_be_stated_is_recognised() -> None:
    assert asks_for_risk_statement("The risk of inaccurate or unsafe output is disclosed")
    assert asks_for_risk_statement("The dataset carries a warning about offensive content")
    assert asks_for_risk_statement("Known limitations are documented")  # a disclosure criterion
    assert not asks_for_risk_statement("Model versions are recorded in the registry")


def test_a_recommendation_is_no_hedge_where_the_criterion_asks_for_advice() -> None:
    hedges = read_cues("It is recommended to disable dynamic updates.").hedge
    assert hedges == ["recommended"]
    assert advice_hedges("Operators are advised to keep dynamic updates disabled", hedges) == []
    assert advice_hedges("Dynamic updates are disabled", hedges) == hedges


def test_guidance_to_restrict_is_not_a_prohibition() -> None:
    assert not is_prohibitive("Operators are told to restrict who can change model artifacts")
    assert is_prohibitive("Use of customer data by the supplier is restricted")


def test_we_recommend_is_a_hedge() -> None:
    assert read_cues("We recommend filtering out low-quality output before a pull request.").hedge
    assert read_cues("We recommend against loading untrusted models.").negation


def test_a_denial_that_sets_a_condition_or_picks_out_a_noun_states_no_fact() -> None:
    conditional = (
        "Where the publisher does not disclose the training data, the owner records the risk."
    )
    assert read_cues(conditional).negation == []
    assert (
        read_cues("Documents which do not have annotations are marked with a star.").negation == []
    )
    # The same denial as a statement, and a relative clause that states a fact, still count.
    assert read_cues("The publisher does not disclose the training data.").negation
    assert read_cues("It hinges on the legal status of the data, which is unclear.").negation


def test_an_instruction_not_to_do_something_is_no_denial() -> None:
    for text in (
        "Please do not disclose the vulnerability publicly until we have fixed it.",
        "Do not disclose the report to third parties.",
        "Reporting: do not disclose details in public issues.",
    ):
        assert read_cues(text).negation == [], text
        assert read_cues(text).prohibiting, text  # it still forbids
    assert read_cues("We do not disclose reports to third parties.").negation
    assert read_cues("Never share your API key with the assistant.").negation == []


def test_a_criterion_worded_in_the_negative_takes_no_denial_of_its_own_words() -> None:
    forms = ("verb", "participle", "noun")
    unit = Sentence("E1", "The gateway does not sanitize prompts.", None, negated_forms=forms)  # type: ignore[arg-type]
    assert unit.cues("Prompts are sanitized by the gateway.").negation == ["does not sanitize"]
    assert unit.cues("Prompts are not sanitized by the gateway.").negation == []
    # "not only" negates nothing
    assert unit.cues("Prompts are not only sanitized by the gateway.").negation


def test_work_under_way_is_not_yet_in_place() -> None:
    assert read_cues("Currently undergoing SOC-2 Certification from Drata.").future
    assert read_cues("We are working towards ISO 27001 certification.").future
    assert not read_cues("Devices currently undergoing repair are wiped first.").future


def test_minutes_are_a_time() -> None:
    assert states_time("The on-call engineer responds within 30 minutes.")


def test_a_maximum_or_response_time_is_a_stated_time() -> None:
    assert asks_for_time("A maximum time to patch critical vulnerabilities is committed.")
    assert asks_for_time("A response time for vulnerability reports is committed.")
    assert not asks_for_time("Critical vulnerabilities are patched.")


def test_there_has_not_been_an_effort_denies_the_effort() -> None:
    said = "There has not been a systematic effort to protect every configuration."
    assert read_cues(said).negation == ["there has not been a systematic effort"]
    # no personal identifiers is a good answer, not a denial of a control
    assert not read_cues("To our knowledge, there are no personal identifiers.").negation


def test_only_work_in_progress_is_not_yet_in_place() -> None:
    assert not read_cues("Devices undergoing repair are wiped first.").future
    assert not read_cues("Once an investigation is underway, we notify customers.").future
