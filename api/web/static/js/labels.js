// Danish names for the codes the API answers with (phases, deadline rules, statuses, events).
// A code without a name here is shown as it is.

export const PHASES = {
  underretning: "Underretning",
  screening: "Screening",
  afdaekning: "Afdækning",
  undersoegelse: "Børnefaglig undersøgelse",
  afgoerelse: "Afgørelse",
  plan: "Barnets plan",
  opstart: "Opstartsmøde",
  opfoelgning: "Opfølgning",
  tilsyn: "Personrettet tilsyn",
  afslutning: "Afslutning",
};

export const DEADLINES = {
  report_assessment: "Vurdering af underretning (24 timer)",
  report_receipt: "Kvittering til underretter (6 hverdage)",
  investigation: "Børnefaglig undersøgelse (4 måneder)",
  child_plan: "Barnets plan (3 måneder)",
  follow_up: "Opfølgning til tiden",
  follow_up_default_interval: "Opfølgning efter kommunens standardinterval (ingen aftalt dato)",
  supervision: "Personrettet tilsyn (2 gange årligt)",
};

export const SHARES = {
  child_perspective: "Afgørelser med barnets perspektiv",
  talk_alone_before_follow_up: "Opfølgninger med samtale med barnet alene",
  supervision_talk_without_staff: "Tilsynssamtaler uden anbringelsesstedets personale",
};

// Whether a rule is law or the municipality's own choice (engine/rules.py).
export const BASIS = {
  law: "Lov",
  law_unconfirmed: "Lov (stk. ikke bekræftet)",
  policy: "Kommunal praksis",
};

export const OUTCOMES = { met: "Overholdt", breached: "Overskredet", cancelled: "Bortfaldet" };

export const MEDIANS = {
  first_talk: "Fra underretning til første samtale",
  decision: "Fra underretning til afgørelse",
  measure_start: "Fra underretning til indsatsens start",
};

export const CAUSES = {
  deadline_breached: "Frist overskredet",
  deadline_reminder: "Påmindelse om frist",
};

export const CASE_STATUS = { active: "Aktiv", completed: "Afsluttet" };

export const TASK_STATE = { open: "Åben", completed: "Afsluttet", cancelled: "Annulleret" };

export const GROUPS = { raadgiver: "Rådgivere", leder: "Ledere" };

export const ROLES = {
  caseworker: "Rådgiver",
  leader: "Leder",
  admin: "Administrator",
  integrator: "Integration",
  process_owner: "Procesejer",
};

export const EVENTS = {
  instance_started: "Sagen er oprettet",
  instance_completed: "Sagen er afsluttet",
  task_created: "Opgave oprettet",
  task_completed: "Opgave afsluttet",
  task_cancelled: "Opgave bortfaldet",
  task_assigned: "Opgave tildelt",
  caseworker_changed: "Ny rådgiver",
  timer_scheduled: "Frist sat",
  timer_cancelled: "Frist bortfaldet",
  timer_fired: "Frist udløst",
  deadline_breached: "Frist overskredet",
  deadline_reminder: "Påmindelse om frist",
  deadline_corrected: "Frist rettet (fristens sidste dag)",
  phase_changed: "Ny fase",
  message_correlated: "Besked modtaget",
  incident_created: "Fejl registreret",
  incident_resolved: "Fejl løst",
  process_started: "Delproces startet",
  process_ended: "Delproces afsluttet",
};

export function label(table, code) {
  if (code === null || code === undefined || code === "") return "–";
  return table[code] || code;
}
