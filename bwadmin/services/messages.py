"""What each milestone notice says, in English and Spanish: a subject and the main sentences.

The layout (greeting, link, footer) is in templates/emails/notice.txt and notice.html.
Keys: (notice kind, language) -> (subject, [sentences]). Placeholders: {factory}, {cycle}, {date}, {advisor},
{days}, {passed}, {total}.
"""
from __future__ import annotations

MESSAGES: dict[tuple[str, str], tuple[str, list[str]]] = {
    # cycle start
    ("cycle_start_factory", "en"): ("Your engagement cycle {cycle} has started", [
        "The engagement cycle {cycle} of {factory} starts today, {date}, with a 100-day advisory period.",
        "Your advisor is {advisor}; they will contact you to plan the first advisory visit."]),
    ("cycle_start_factory", "es"): ("Ha comenzado su ciclo de participación {cycle}", [
        "El ciclo de participación {cycle} de {factory} comienza hoy, {date}, con un periodo de asesoría de 100 días.",
        "Su asesor/a es {advisor}; se pondrá en contacto para planificar la primera visita de asesoría."]),
    ("cycle_start_advisor", "en"): ("New cycle to advise: {factory}", [
        "You advise {factory}, cycle {cycle}, which starts today, {date}.",
        "Plan the advisory visits and the set-up of the worker-management committee."]),
    ("cycle_start_advisor", "es"): ("Nuevo ciclo para asesorar: {factory}", [
        "Usted asesora a {factory}, ciclo {cycle}, que comienza hoy, {date}.",
        "Planifique las visitas de asesoría y la constitución del comité bipartito."]),
    # end of the advisory period
    ("advisory_end_factory", "en"): ("The advisory period of {factory} ends today", [
        "The 100-day advisory period of cycle {cycle} ends today, {date}.",
        "Advisory support continues after the assessment until the cycle closes."]),
    ("advisory_end_factory", "es"): ("Hoy termina el periodo de asesoría de {factory}", [
        "El periodo de asesoría de 100 días del ciclo {cycle} termina hoy, {date}.",
        "La asesoría continúa después de la evaluación hasta el cierre del ciclo."]),
    ("advisory_end_advisor", "en"): ("Advisory period ends: {factory}", [
        "The advisory period of {factory}, cycle {cycle}, ends today, {date}."]),
    ("advisory_end_advisor", "es"): ("Termina el periodo de asesoría: {factory}", [
        "El periodo de asesoría de {factory}, ciclo {cycle}, termina hoy, {date}."]),
    # assessment due
    ("assessment_due_factory", "en"): ("The assessment of {factory} is due", [
        "The compliance assessment of {factory} is due from {date}.",
        "Assessments are unannounced: two assessors visit for two days."]),
    ("assessment_due_factory", "es"): ("La evaluación de {factory} está pendiente", [
        "La evaluación de cumplimiento de {factory} corresponde a partir del {date}.",
        "Las evaluaciones no se anuncian: dos evaluadores visitan la fábrica durante dos días."]),
    ("assessment_due_advisor", "en"): ("Assessment due: {factory}", [
        "The assessment of {factory}, cycle {cycle}, is due from {date}. Record it in the panel once done."]),
    ("assessment_due_advisor", "es"): ("Evaluación pendiente: {factory}", [
        "La evaluación de {factory}, ciclo {cycle}, corresponde a partir del {date}. Regístrela en el panel una vez hecha."]),
    # release
    ("release_factory", "en"): ("Your assessment report is released", [
        "The assessment report and the self-diagnosis results of {factory} are released today, {date}.",
        "Your improvement plan is now open: submit it so that your buyers can read it."]),
    ("release_factory", "es"): ("Se ha publicado su informe de evaluación", [
        "El informe de evaluación y los resultados del autodiagnóstico de {factory} se publican hoy, {date}.",
        "Su plan de mejora ya está abierto: envíelo para que sus compradores puedan leerlo."]),
    ("release_buyer", "en"): ("Assessment report released: {factory}", [
        "The assessment report of {factory} is released today, {date}, and you can read it now.",
        "The factory's improvement plan will be shared with you once the factory submits it."]),
    ("release_buyer", "es"): ("Informe de evaluación publicado: {factory}", [
        "El informe de evaluación de {factory} se publica hoy, {date}, y ya puede leerlo.",
        "El plan de mejora de la fábrica se compartirá con usted cuando la fábrica lo envíe."]),
    ("release_advisor", "en"): ("Released: assessment report of {factory}", [
        "The assessment report of {factory}, cycle {cycle}, was released today, {date}, to the factory and its consenting buyers."]),
    ("release_advisor", "es"): ("Publicado: informe de evaluación de {factory}", [
        "El informe de evaluación de {factory}, ciclo {cycle}, se publicó hoy, {date}, para la fábrica y los compradores autorizados."]),
    ("release_missing_advisor", "en"): ("Not released: no assessment recorded for {factory}", [
        "The assessment report of {factory}, cycle {cycle}, was due for release today, {date}, but no assessment is recorded."]),
    ("release_missing_advisor", "es"): ("No publicado: no hay evaluación registrada de {factory}", [
        "El informe de evaluación de {factory}, ciclo {cycle}, debía publicarse hoy, {date}, pero no hay ninguna evaluación registrada."]),
    # factory progress report
    ("factory_progress_reminder_factory", "en"): ("Reminder: your progress report is due in {days} days", [
        "The factory progress report of {factory} is due on {date}, in {days} days.",
        "On that day, what you have submitted is released to your buyers."]),
    ("factory_progress_reminder_factory", "es"): ("Recordatorio: su informe de avance vence en {days} días", [
        "El informe de avance de {factory} vence el {date}, dentro de {days} días.",
        "Ese día, lo que haya enviado se publicará para sus compradores."]),
    ("factory_progress_released_factory", "en"): ("Your progress report is released to your buyers", [
        "The factory progress report of {factory} was released to your buyers today, {date}."]),
    ("factory_progress_released_factory", "es"): ("Su informe de avance se ha publicado para sus compradores", [
        "El informe de avance de {factory} se publicó hoy, {date}, para sus compradores."]),
    ("factory_progress_released_buyer", "en"): ("Factory progress report released: {factory}", [
        "{factory} released its progress report today, {date}; you can read it now."]),
    ("factory_progress_released_buyer", "es"): ("Informe de avance publicado: {factory}", [
        "{factory} publicó hoy, {date}, su informe de avance; ya puede leerlo."]),
    ("improvement_plan_released_buyer", "en"): ("Improvement plan shared: {factory}", [
        "{factory} shared its improvement plan today, {date}: for each finding of the assessment, the action it "
        "takes, who is responsible and by when. You can read it now."]),
    ("improvement_plan_released_buyer", "es"): ("Plan de mejora compartido: {factory}", [
        "{factory} compartió hoy, {date}, su plan de mejora: para cada hallazgo de la evaluación, la acción que "
        "toma, quién es responsable y para cuándo. Ya puede leerlo."]),
    ("factory_progress_overdue_factory", "en"): ("Your progress report is overdue", [
        "The factory progress report of {factory} was due today, {date}, and has not been submitted.",
        "Please submit it as soon as possible; your advisor has been told."]),
    ("factory_progress_overdue_factory", "es"): ("Su informe de avance está atrasado", [
        "El informe de avance de {factory} vencía hoy, {date}, y no se ha enviado.",
        "Envíelo lo antes posible; se ha informado a su asesor/a."]),
    ("factory_progress_overdue_advisor", "en"): ("Overdue: factory progress report of {factory}", [
        "{factory}, cycle {cycle}, has not submitted its progress report due today, {date}."]),
    ("factory_progress_overdue_advisor", "es"): ("Atrasado: informe de avance de {factory}", [
        "{factory}, ciclo {cycle}, no ha enviado su informe de avance, que vencía hoy, {date}."]),
    # programme progress report
    ("programme_progress_factory", "en"): ("The programme's progress report on {factory} is released", [
        "The programme's progress report on {factory} is released today, {date}: achievements and the challenges that remain."]),
    ("programme_progress_factory", "es"): ("Se ha publicado el informe de avance del programa sobre {factory}", [
        "El informe de avance del programa sobre {factory} se publica hoy, {date}: logros y desafíos pendientes."]),
    ("programme_progress_buyer", "en"): ("Programme progress report released: {factory}", [
        "The programme's progress report on {factory} is released today, {date}; you can read it now."]),
    ("programme_progress_buyer", "es"): ("Informe de avance del programa publicado: {factory}", [
        "El informe de avance del programa sobre {factory} se publica hoy, {date}; ya puede leerlo."]),
    ("programme_progress_advisor", "en"): ("Released: programme progress report on {factory}", [
        "The programme progress report on {factory}, cycle {cycle}, was released today, {date}."]),
    ("programme_progress_advisor", "es"): ("Publicado: informe de avance del programa sobre {factory}", [
        "El informe de avance del programa sobre {factory}, ciclo {cycle}, se publicó hoy, {date}."]),
    # differentiation
    ("differentiation_high_factory", "en"): ("{factory} is a high performer", [
        "The performance of {factory} was measured today, {date}: all {total} differentiation criteria are met.",
        "As a high performer, your factory is offered the programme's advanced services: ask your advisor."]),
    ("differentiation_high_factory", "es"): ("{factory} tiene un alto desempeño", [
        "Hoy, {date}, se midió el desempeño de {factory}: cumple los {total} criterios de diferenciación.",
        "Por su alto desempeño, a su fábrica se le ofrecen los servicios avanzados del programa: consulte a su asesor/a."]),
    ("differentiation_factory", "en"): ("The performance of {factory} has been measured", [
        "The performance of {factory} was measured today, {date}: {passed} of {total} differentiation criteria are met.",
        "Your advisor will go through the results with you."]),
    ("differentiation_factory", "es"): ("Se ha medido el desempeño de {factory}", [
        "Hoy, {date}, se midió el desempeño de {factory}: cumple {passed} de {total} criterios de diferenciación.",
        "Su asesor/a revisará los resultados con usted."]),
    ("differentiation_advisor", "en"): ("Differentiation results: {factory}", [
        "{factory}, cycle {cycle}, meets {passed} of {total} differentiation criteria ({verdict})."]),
    ("differentiation_advisor", "es"): ("Resultados de diferenciación: {factory}", [
        "{factory}, ciclo {cycle}, cumple {passed} de {total} criterios de diferenciación ({verdict})."]),
}

GREETING = {"en": "Hello {name},", "es": "Hola, {name}:"}
OPEN_LINK = {"en": "Open bwadmin", "es": "Abrir bwadmin"}
FOOTER = {
    "en": "You receive this email because you take part in the factory-engagement programme.",
    "es": "Recibe este correo porque participa en el programa de colaboración con fábricas.",
}
VERDICT = {"en": ("high performer", "not a high performer"), "es": ("alto desempeño", "sin alto desempeño")}


def message(kind: str, language: str, **values) -> tuple[str, list[str]]:
    language = language if (kind, language) in MESSAGES else "en"
    subject, lines = MESSAGES[(kind, language)]
    return subject.format(**values), [line.format(**values) for line in lines]
