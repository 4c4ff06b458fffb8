"""Questionnaire engine benchmark: a 250-question self-diagnosis.

Measures, as medians over repeated runs in one process against a SQLite file:
- render: the factory's page (form built from the stored answers, checked, rendered through the template);
- save with scoring: a POST's form data bound and checked, answers saved (a third of them changed), committed,
  then the response scored;
and beside them, the floor: a plain WTForms form of the same size (250 RadioFields), class built once,
bound and rendered with WTForms' own widgets, and bound and validated.
Goal: render <= 30 ms, save with scoring <= 60 ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402
from wtforms import Form, RadioField  # noqa: E402

from bwadmin import create_app  # noqa: E402
from bwadmin.extensions import db  # noqa: E402
from bwadmin.models import Factory, User  # noqa: E402
from bwadmin.services import cycles, questionnaires as bank, responses, scoring  # noqa: E402
from forms.questionnaire import form_for, shown_names  # noqa: E402

N = 250
ROUNDS = 60
CLUSTERS = ["child_labour", "discrimination", "forced_labour", "freedom_of_association", "compensation",
            "contracts_hr", "osh", "working_time"]


def questionnaire_data() -> dict:
    points = {f"p{i}": {"cluster": CLUSTERS[i % 8], "en": f"Point {i}", "es": f"Punto {i}"} for i in range(40)}
    questions = []
    for i in range(N):
        q = {"code": f"Q{i:03d}", "compliance_point": f"p{i % 40}", "type": "yes_no",
             "text": {"en": f"Does the factory meet requirement {i}?", "es": f"¿Cumple la fábrica el requisito {i}?"},
             "help": {"en": "Check the records.", "es": "Revise los registros."}, "required": True,
             "allow_na": i % 5 == 0, "noncompliant_answer": "no", "zero_tolerance": i % 50 == 0,
             "committee": i % 10 == 0, "show_if": {"question": f"Q{i - 1:03d}", "equals": "yes"} if i % 25 == 1 else None,
             "choices": None, "min": None, "max": None}
        questions.append(q)
    return {"kind": "self_diagnosis", "version": 1, "title": {"en": "Benchmark", "es": "Benchmark"},
            "languages": ["en", "es"], "clusters": {c: {"en": c, "es": c} for c in CLUSTERS},
            "compliance_points": points, "questions": questions}


def median_ms(fn) -> float:
    fn()
    fn()
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    global ROUNDS
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="3 runs each, seconds: that the bench still runs")
    parser.add_argument("--profile", action="store_true")
    if parser.parse_args().smoke:
        ROUNDS = 3
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "TESTING": True,
                      "SERVER_NAME": "bench.local", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        questionnaire = bank.load(questionnaire_data(), publish_now=True)
        factory = Factory(name="Bench Garments", country="Vietnam")
        user = User(email="bench@example.org", role="factory", factory=factory, name="Bench")
        db.session.add_all([factory, user])
        db.session.flush()
        cycle = cycles.start_cycle(factory, date(2026, 1, 5))
        response = responses.response_for(cycle, "self_diagnosis")
        ids = [q.id for q in questionnaire.questions]
        responses.save_draft(response, {qid: ("yes" if n % 7 else "no") for n, qid in enumerate(ids)})
        db.session.commit()
        response_id, cycle_id = response.id, cycle.id

        posts = [MultiDict({f"q{qid}": ("yes" if (n + k) % 3 else "no") for n, qid in enumerate(ids)}) for k in range(3)]
        state = {"k": 0}

        def render():
            with app.test_request_context(f"/factory/cycles/{cycle_id}/self-diagnosis"):
                r = db.session.get(type(response), response_id)
                form = form_for(r, "en")
                progress = responses.progress(form.questions, form.values())
                html = render_template("questionnaire/_bench.html", form=form, shown=shown_names(form), progress=progress)
                assert len(html) > 100_000
            db.session.remove()

        def save_with_scoring():
            state["k"] = (state["k"] + 1) % 3
            with app.test_request_context(f"/factory/cycles/{cycle_id}/self-diagnosis", method="POST"):
                r = db.session.get(type(response), response_id)
                form = form_for(r, "en", posts[state["k"]])
                values, raw = form.answers()
                responses.save_draft(r, values, raw)
                db.session.commit()
                result = scoring.score(r, {k: v for k, v in values.items() if v is not None})
                assert result["overall"]["questions"] > 200
            db.session.remove()

        class Plain(Form):
            pass

        for i in range(N):
            setattr(Plain, f"f{i}", RadioField(f"Question {i}?", choices=[("yes", "Yes"), ("no", "No")]))
        plain_post = MultiDict({f"f{i}": "yes" for i in range(N)})

        plain_template = app.jinja_env.from_string(
            "<form>{% for f in form %}<div>{{ f.label }}{{ f() }}</div>{% endfor %}</form>")

        def plain_render():
            with app.test_request_context("/"):
                form = Plain(formdata=plain_post)
                html = plain_template.render(form=form)
                assert len(html) > 10_000

        def plain_validate():
            form = Plain(formdata=plain_post)
            assert form.validate()

        figures = {
            "render": median_ms(render),
            "save with scoring": median_ms(save_with_scoring),
            "plain WTForms render (floor)": median_ms(plain_render),
            "plain WTForms bind+validate (floor)": median_ms(plain_validate),
        }
    goals = {"render": 30, "save with scoring": 60}
    print(f"Questionnaire engine, {N} questions, median of {ROUNDS} runs:")  # the floors are this run's baseline
    for name, ms in figures.items():
        goal = goals.get(name)
        verdict = f"  (goal <= {goal} ms: {'met' if ms <= goal else 'MISSED'})" if goal else ""
        print(f"  {name:<38} {ms:7.1f} ms{verdict}")


if __name__ == "__main__":
    if "--profile" in sys.argv:  # where the time goes
        import cProfile
        import pstats

        cProfile.run("main()", "/tmp/bench.prof")
        pstats.Stats("/tmp/bench.prof").sort_stats("cumulative").print_stats(35)
    else:
        main()
