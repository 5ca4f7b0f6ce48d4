FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir --upgrade pip
COPY . .
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput
# /beat: the beat schedule's volume (a new named volume takes this owner).
RUN useradd --create-home triage && mkdir /beat && chown -R triage /app /beat
USER triage
EXPOSE 8000
# Workers, restarts and the access log come from gunicorn.conf.py in /app.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
