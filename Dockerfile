# Image for web, worker, beat and migrate (see docker-compose.yml and docs/deploy.md).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=bcpweb.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bcpweb bcpweb
COPY organizations organizations
COPY status_board status_board
COPY bulletin bulletin
COPY emergency_hq emergency_hq
RUN pip install --no-cache-dir .
COPY . .
# Build-time only values: collectstatic and compilemessages need settings to import.
RUN SECRET_KEY=build REDIS_URL=redis://localhost:6379/0 DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py compilemessages --ignore=.venv -v0 \
 && SECRET_KEY=build REDIS_URL=redis://localhost:6379/0 DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app bcpweb && mkdir -p /srv/bcpweb && chown -R bcpweb /srv/bcpweb
USER bcpweb
EXPOSE 8000
CMD ["gunicorn", "bcpweb.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
