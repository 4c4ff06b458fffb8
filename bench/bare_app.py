"""The baseline: a bare Flask JSON endpoint, served by gunicorn exactly like bwadmin in bench/portal.py."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/json")
def hello():
    return jsonify(message="hello", ok=True)
