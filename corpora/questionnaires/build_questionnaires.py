"""Build the sample questionnaires in this folder, byte for byte the same on every run.

    python corpora/questionnaires/build_questionnaires.py [OUT_DIR]

ai-vendor-assessment.xlsx  a bank's AI vendor questionnaire: sections as merged rows, a Response
                           dropdown fed by a range on the "Lists" sheet, an "Instructions" sheet.
ai-security-questions.csv  a short semicolon-delimited cp1252 export of another customer's list.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

HERE = Path(__file__).resolve().parent
XLSX_NAME = "ai-vendor-assessment.xlsx"
CSV_NAME = "ai-security-questions.csv"
QUESTION_SHEET = "AI Security Questionnaire"
RESPONSES = ["Yes", "No", "Partial", "N/A"]
FIXED_TIME = dt.datetime(2024, 1, 15, 9, 0, 0)
ZIP_TIME = (2024, 1, 15, 9, 0, 0)

SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Classification of training data (ISO/IEC 27001:2013 A.8.2)",
        [
            "Do you classify every dataset used to train, fine-tune or evaluate models under your information classification scheme?",
            "Is the classification of a training dataset recorded alongside the dataset itself, for example in a datasheet or catalogue entry?",
            "Do you label training records that contain personal data or customer confidential data before they enter a training pipeline?",
            "Are models treated as inheriting the highest classification of the data they were trained on?",
            "Do handling rules (storage location, encryption, access) differ by classification level for training data and model artefacts?",
            "Is access to restricted training data limited to named roles and reviewed at least every six months?",
            "Do you prevent restricted data from being copied into notebooks, sandboxes or personal workspaces?",
            "Are labelled datasets protected against unauthorised changes to their labels?",
            "Do you have a documented procedure to declassify or dispose of training data when it is no longer needed?",
            "Is synthetic or anonymised data re-assessed for re-identification risk before it is reclassified as public or internal?",
            "Do prompts and outputs logged from production models receive a classification and retention period?",
        ],
    ),
    (
        "Technical vulnerabilities of models (ISO/IEC 27001:2013 A.12.6)",
        [
            "Do you test models for robustness against adversarial examples before each production release?",
            "Describe how you detect and mitigate data poisoning in training and fine-tuning data.",
            "Have you assessed your models for model inversion and membership inference attacks?",
            "Do you test generative models and LLM applications for prompt injection and jailbreak attempts?",
            "Is there a process to receive, triage and fix vulnerabilities reported against your models or ML libraries?",
            "Do you track known vulnerabilities in ML frameworks and model-serving components used in production?",
            "Are rate limits or query monitoring in place to detect model extraction through the public API?",
            "Do you red-team high-risk models with people independent of the team that built them?",
            "Are the results of adversarial testing recorded and tracked until remediation is complete?",
            "Do you rescan model files (for example pickle-based formats) for embedded code before loading them?",
            "Are model outputs filtered for leakage of training data such as personal data or secrets?",
            "Is there a defined time frame for patching critical vulnerabilities in the ML stack?",
        ],
    ),
    (
        "Secure development of ML systems (ISO/IEC 27001:2013 A.14.2)",
        [
            "Are all production models versioned in a registry together with the code, data snapshot and hyperparameters that produced them?",
            "Can you trace each production model back to the exact training data it used (data lineage)?",
            "Can a given model version be reproduced from its recorded inputs, within a documented tolerance?",
            "Do code and pipeline changes to ML systems go through peer review before they are merged?",
            "Are training and deployment pipelines separated from development environments with distinct credentials?",
            "Does a model need documented approval (for example a model card sign-off) before promotion to production?",
            "Do you run automated security checks (dependency scanning, secret scanning) on ML pipeline code?",
            "Are evaluation metrics and acceptance thresholds defined before training rather than after?",
            "Can you roll back to the previous model version within a defined time?",
            "Are production models monitored for drift and degraded performance after release?",
            "Is third-party code pulled into notebooks and pipelines pinned to reviewed versions?",
        ],
    ),
    (
        "Suppliers and third-party AI (ISO/IEC 27001:2013 A.15.1)",
        [
            "Do you use third-party AI services (hosted LLM APIs, ML platforms) to process our data?",
            "List the sub-processors that host or run the AI components of the service.",
            "Do you use pre-trained or open-source models, and do you verify their source and integrity before use?",
            "Is our data used to train, fine-tune or improve your models or those of your providers?",
            "Can we opt out of any use of our data for model training, and is the opt-out contractual?",
            "Do your contracts with AI providers restrict retention of prompts and outputs?",
            "Do you assess the security of AI suppliers before onboarding and at least annually afterwards?",
            "Are the licences of pre-trained models and datasets reviewed for commercial use?",
            "Will you notify us before replacing or materially changing an underlying model or AI provider?",
            "Do you keep an inventory of all AI models and external AI services used in the service you provide to us?",
            "Do supplier agreements give you the right to audit or receive assurance reports from AI providers?",
        ],
    ),
    (
        "Incidents, data residency and fairness",
        [
            "Within how many hours will you notify us of a security incident affecting our data or the AI service?",
            "In which countries is our data stored and processed, including by AI sub-processors?",
            "Can you guarantee that our data, prompts and outputs stay within the EU/EEA?",
            "Do you test models that affect customers for bias across protected characteristics?",
            "Are the results of bias and fairness testing available to us on request?",
            "Is a human able to review and override automated decisions made by the AI system?",
            "Do you keep logs sufficient to explain an individual model decision after the fact?",
            "Have you classified the AI system under the EU AI Act risk categories?",
        ],
    ),
]

INSTRUCTIONS = [
    "How to complete this assessment",
    "Answer every item on the sheet named AI Security Questionnaire.",
    "Choose a value from the Response list for each item; use N/A only where the item cannot apply.",
    "Explain partial answers in the Comments column and name supporting documents under Evidence.",
    "Send the completed workbook back to the vendor management office within ten working days.",
]

CSV_ROWS: list[tuple[str, str]] = [
    ("", "Section A – Data and models"),
    ("A.1", "Is customer data excluded from the training of shared models by default?"),
    ("A.2", "Do you keep a record of the datasets used to train each deployed model?"),
    ("A.3", "Is training data classified and labelled according to its sensitivity?"),
    ("A.4", "Are models that screen job applicants (CV/résumé ranking) tested for bias?"),
    ("A.5", "Can you reproduce a deployed model from its recorded data, code and settings?"),
    ("A.6", "Are model versions stored in a registry with an approval history?"),
    ("A.7", "Do you verify the integrity of pre-trained models downloaded from public hubs?"),
    ("A.8", "Is personal data removed or pseudonymised before it is used for training?"),
    ("A.9", "Do you delete training data at the end of its retention period?"),
    ("A.10", "Are prompts and responses of the AI service logged, and for how long?"),
    ("", "Section B – Security testing and suppliers"),
    ("B.1", "Do you test the AI service against prompt injection before release?"),
    ("B.2", "Have your models been tested against adversarial inputs and data poisoning?"),
    ("B.3", "Do you monitor the API for model extraction or scraping patterns?"),
    ("B.4", "Are vulnerabilities in ML libraries patched within a defined period?"),
    ("B.5", "Which third-party AI providers process our data, and where?"),
    ("B.6", "Do contracts with AI providers forbid training on our data?"),
    ("B.7", "Are AI suppliers assessed for security before onboarding?"),
    ("B.8", "Will you tell us before changing the underlying model provider?"),
    ("B.9", "How quickly do you notify customers of an incident involving the AI service?"),
    ("B.10", "Is all processing of our data kept within the EU?"),
    ("B.11", "Can a person review and reverse decisions made by the AI system?"),
]


def build_workbook() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = QUESTION_SHEET
    thin = Side(style="thin", color="9E9E9E")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F3864")
    section_font = Font(bold=True, color="1F3864")
    section_fill = PatternFill("solid", fgColor="D9E1F2")
    wrap = Alignment(wrap_text=True, vertical="top")

    ws["A1"] = "Northwind Bank – AI vendor security assessment"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    ws["A2"] = "Vendor name and contact to be entered by the vendor"
    ws["A2"].font = Font(italic=True)
    ws.merge_cells("A2:E2")
    header_row = 4
    for col, title in enumerate(["No.", "Question", "Response", "Comments", "Evidence"], 1):
        cell = ws.cell(row=header_row, column=col, value=title)
        cell.font = header_font
        cell.fill = header_fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for col, width in zip("ABCDE", (8, 80, 14, 45, 45), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"

    row = header_row + 1
    first_question = None
    for s_no, (title, questions) in enumerate(SECTIONS, 1):
        ws.cell(row=row, column=1, value=f"{s_no}. {title}")
        for col in range(1, 6):
            c = ws.cell(row=row, column=col)
            c.font = section_font
            c.fill = section_fill
            c.border = border
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        row += 1
        for q_no, question in enumerate(questions, 1):
            first_question = first_question or row
            ws.cell(row=row, column=1, value=f"{s_no}.{q_no}")
            ws.cell(row=row, column=2, value=question).alignment = wrap
            for col in range(1, 6):
                ws.cell(row=row, column=col).border = border
            row += 1
    last = row - 1

    lists = wb.create_sheet("Lists")
    lists["A1"] = "Response values"
    lists["A1"].font = Font(bold=True)
    for i, value in enumerate(RESPONSES, 2):
        lists.cell(row=i, column=1, value=value)
    dv = DataValidation(
        type="list",
        formula1=f"Lists!$A$2:$A${len(RESPONSES) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Invalid response",
        error="Pick a value from the list.",
    )
    dv.add(f"C{first_question}:C{last}")
    ws.add_data_validation(dv)

    info = wb.create_sheet("Instructions", 1)
    for i, line in enumerate(INSTRUCTIONS, 1):
        info.cell(row=i, column=1, value=line)
    info["A1"].font = Font(bold=True, size=12)
    info.column_dimensions["A"].width = 100
    info.cell(row=len(INSTRUCTIONS) + 2, column=1, value="Items answered so far")
    info.cell(
        row=len(INSTRUCTIONS) + 2,
        column=2,
        value=f"=COUNTA('{QUESTION_SHEET}'!C{first_question}:C{last})",
    )

    wb.properties.creator = "reviewer sample generator"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def deterministic_xlsx(wb: Workbook) -> bytes:
    """Save, then rewrite the zip with fixed timestamps so identical input gives identical bytes."""
    raw = io.BytesIO()
    wb.save(raw)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = re.sub(
                    r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rf"\g<1>{stamp}\g<2>",
                    data.decode("utf-8"),
                )
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()


def csv_bytes() -> bytes:
    lines = ["Ref;Question;Answer;Comments"]
    lines += [f"{ref};{question};;" for ref, question in CSV_ROWS]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def build(out_dir: Path = HERE) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    xlsx = out_dir / XLSX_NAME
    xlsx.write_bytes(deterministic_xlsx(build_workbook()))
    csv_path = out_dir / CSV_NAME
    csv_path.write_bytes(csv_bytes())
    return [xlsx, csv_path]


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
