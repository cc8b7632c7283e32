"""The review web app: written answers one question at a time, overrides per student.

Bound to 127.0.0.1 only. Every URL starts with the session's random token (the command prints
the first one) and every save carries it in a header too, which only the app's own pages send:
another user of the machine, or another web site open in the same browser, can neither read
answers nor write scores. No cookie holds it (browsers send cookies to every port of a host,
so another local server could collect it). Requests naming another host are refused (DNS
rebinding), and no other page may frame these.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Flask, abort, jsonify, redirect, render_template, request, url_for

from autograder.manual.final import final_grade
from autograder.manual.store import ConflictError, ManualInputError, group_state
from autograder.reporting.mistakes import MistakeGroup, common_mistakes
from autograder.reporting.written import render_answer
from autograder.review.session import ReviewSession

TOKEN_HEADER = "X-Review-Token"
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
       "frame-ancestors 'none'; form-action 'none'")


def _error(message: str, status: int, **extra: Any) -> Any:
    return jsonify({"ok": False, "error": message, **extra}), status


def create_app(session: ReviewSession, token: str) -> Flask:
    """The app for one session; ``token`` is required on every request."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, JSON_SORT_KEYS=False)
    pages = Blueprint("review", __name__, url_prefix=f"/{token}")

    @app.before_request
    def _guard() -> Any:
        host = (request.host or "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost"):
            abort(403)
        first = (request.path.split("/") + [""])[1]
        if not hmac.compare_digest(first.encode(), token.encode()):
            abort(403)
        if request.method == "POST" and not hmac.compare_digest(request.headers.get(TOKEN_HEADER, "").encode(),
                                                                token.encode()):
            abort(403)
        session.refresh()  # a newer `grade` run is what the pages show
        return None

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.update({"Content-Security-Policy": CSP, "X-Frame-Options": "DENY",
                                 "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
                                 "X-Content-Type-Options": "nosniff"})
        return response

    _routes(pages, session, token)
    app.register_blueprint(pages)
    return app


def _routes(app: Blueprint, session: ReviewSession, token: str) -> None:
    """The pages and the save endpoints (under the token prefix)."""

    def keys() -> list[str]:
        return [r.key for r in session.results]

    @app.get("/")
    def index() -> Any:
        finals = session.finals()
        progress = [{"q": q, "graded": sum(1 for f in finals.values() if f.written[q.question].score is not None),
                     "stale": sum(1 for f in finals.values() if f.written[q.question].stale)}
                    for q in session.rubric.questions]
        return render_template("review_index.html", progress=progress, results=session.results, finals=finals,
                               token=token, count=len(keys()))

    @app.get("/written/<question>/<int(signed=True):number>")
    def written(question: str, number: int) -> Any:
        order = keys()
        if question not in session.rubric or not order:
            abort(404)
        if not 0 <= number < len(order):
            return redirect(url_for(".written", question=question, number=max(0, min(number, len(order) - 1))))
        result = session.by_key[order[number]]
        rubric = session.rubric[question]
        grade = final_grade(result, session.store.load(), session.rubric).written[question]
        answer = result.written.get(question, "")
        return render_template(
            "review_written.html", question=rubric, number=number, count=len(order), result=result,
            answer_html=render_answer(answer) if answer.strip() else "", grade=grade, token=token,
            entry=grade.entry, questions=session.rubric.names)

    @app.get("/student/<key>")
    def student(key: str) -> Any:
        result = session.by_key.get(key)
        if result is None:
            abort(404)
        data = session.store.load()
        final, stored = final_grade(result, data, session.rubric), data.overrides.get(key, {})
        found = session.similarity()
        close = {q: [{"key": other, "student": session.by_key[other].student if other in session.by_key else "",
                      "score": score} for other, score in pairs]
                 for q, pairs in (found.close_to(key) if found else {}).items()}
        return render_template("review_student.html", result=result, final=final, stored=stored, token=token,
                               number=keys().index(key), questions=session.rubric.names, close=close)

    @app.post("/api/written")
    def save_written() -> Any:
        body = request.get_json(silent=True)
        if (not isinstance(body, dict) or not isinstance(body.get("key"), str) or body["key"] not in session.by_key
                or not isinstance(body.get("question"), str) or body["question"] not in session.rubric):
            return _error("not a written answer of this batch", 400)
        result = session.by_key[body["key"]]
        rubric = session.rubric[body["question"]]
        try:
            entry = session.store.save_written(result.key, rubric, items=body.get("items", []),
                                               adjust=body.get("adjust"), comment=body.get("comment"),
                                               answer=result.written.get(rubric.question, ""),
                                               revision=body.get("revision"))
        except ManualInputError as exc:
            return _error(str(exc), 400)
        except ConflictError as exc:
            return _error(str(exc), 409, current=exc.current)
        return jsonify({"ok": True, "revision": entry.revision, "score": entry.score(rubric)})

    @app.post("/api/override")
    def save_override() -> Any:
        body = request.get_json(silent=True)
        result = session.by_key.get(body["key"]) if isinstance(body, dict) and isinstance(body.get("key"), str) \
            else None
        test = next((t for t in result.tests if t.check_id == body.get("check_id")), None) if result else None
        if test is None:
            return _error("not a test of this batch", 400)
        try:
            entry = session.store.save_override(result.key, test.check_id, points=body.get("points"),
                                                reason=body.get("reason"), max_points=test.points,
                                                content_hash=result.content_hash, revision=body.get("revision"))
        except ManualInputError as exc:
            return _error(str(exc), 400)
        except ConflictError as exc:
            return _error(str(exc), 409, current=exc.current)
        return jsonify({"ok": True, "revision": entry.revision if entry else 0,
                        "points": entry.points if entry else None})

    @app.get("/mistakes")
    def mistakes() -> Any:
        data = session.store.load()
        groups = {
            q: [{"group": g, "overridden": sum(1 for k in g.keys if g.check_id in data.overrides.get(k, {})),
                 "state": group_state(data, _members(session, g), g.check_id)}
                for g in found]
            for q, found in common_mistakes(session.results).items()
        }
        return render_template("review_mistakes.html", groups=groups, token=token, questions=session.rubric.names)

    @app.post("/api/group-override")
    def save_group_override() -> Any:
        body = request.get_json(silent=True)
        group = _find_group(session, body)
        if group is None:
            return _error("no such group of this batch (the check and its message)", 400)
        test = next(t for t in session.by_key[group.keys[0]].tests if t.check_id == group.check_id)
        try:
            state = session.store.save_group_override(_members(session, group), group.check_id,
                                                      points=body.get("points"), reason=body.get("reason"),
                                                      max_points=test.points, state=body.get("state"))
        except ManualInputError as exc:
            return _error(str(exc), 400)
        except ConflictError as exc:
            return _error(str(exc), 409)
        return jsonify({"ok": True, "count": group.count, "state": state})

    @app.post("/api/export")
    def export() -> Any:
        session.write_outputs()
        return jsonify({"ok": True, "out": str(session.out)})


def _find_group(session: ReviewSession, body: Any) -> MistakeGroup | None:
    """The batch's group that ``body`` names by check id and message (never a list of keys from the page)."""
    if not isinstance(body, dict) or not isinstance(body.get("check_id"), str) or not isinstance(body.get("message"), str):
        return None
    return next((g for groups in common_mistakes(session.results).values() for g in groups
                 if g.check_id == body["check_id"] and g.message == body["message"]), None)


def _members(session: ReviewSession, group: MistakeGroup) -> list[tuple[str, str]]:
    """(key, content hash) of each submission of ``group``: what each override is made for."""
    return [(k, session.by_key[k].content_hash) for k in group.keys]
