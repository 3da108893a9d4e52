# One image for web (gunicorn), worker and beat (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
# /srv/registry exists owned by cno, so the named volume mounted there starts writable by the app.
RUN useradd --system --uid 1000 cno && mkdir -p /srv/registry && chown -R cno /app /srv/registry
USER cno
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "cno_app.wsgi:application"]
