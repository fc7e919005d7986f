/**
 * The articles deadlines rest on, so that letters and screens can cite them in Catalan and Spanish.
 */
export interface LegalBasis {
  law: string;
  article: string;
  ca: string;
  es: string;
}

const LPAC = 'Llei 39/2015';

function article(article: string, ca: string, es: string): LegalBasis {
  return { law: LPAC, article, ca, es };
}

export const LEGAL_BASIS = {
  businessDays: article(
    '30.2',
    'Els terminis en dies són hàbils: s’exclouen dissabtes, diumenges i festius.',
    'Los plazos en días son hábiles: se excluyen sábados, domingos y festivos.',
  ),
  calendarDays: article(
    '30.2',
    'Termini en dies naturals per disposició legal.',
    'Plazo en días naturales por disposición legal.',
  ),
  countFromNextDay: article(
    '30.3',
    'El termini es compta des de l’endemà de la notificació o publicació.',
    'El plazo se computa desde el día siguiente a la notificación o publicación.',
  ),
  months: article(
    '30.4',
    'Termini en mesos: venç el mateix dia del mes final, o l’últim dia del mes si no n’hi ha d’equivalent.',
    'Plazo en meses: vence el mismo día del mes final, o el último día del mes si no hay equivalente.',
  ),
  movedToNextBusinessDay: article(
    '30.5',
    'Si l’últim dia del termini és inhàbil, s’entén prorrogat al primer dia hàbil següent.',
    'Si el último día del plazo es inhábil, se entiende prorrogado al primer día hábil siguiente.',
  ),
  localHolidays: article(
    '30.7',
    'Són inhàbils els festius de Catalunya i els locals del municipi.',
    'Son inhábiles los festivos de Cataluña y los locales del municipio.',
  ),
  filingOnNonBusinessDay: article(
    '31.2.b',
    'Una presentació en dia inhàbil s’entén feta a la primera hora del primer dia hàbil següent.',
    'Una presentación en día inhábil se entiende realizada en la primera hora del primer día hábil siguiente.',
  ),
  extension: article(
    '32.1',
    'Ampliació del termini fins a la meitat del termini inicial, acordada abans que venci.',
    'Ampliación del plazo hasta la mitad del plazo inicial, acordada antes de su vencimiento.',
  ),
  pauseForRemedy: article(
    '22.1.a',
    'El termini màxim per resoldre se suspèn mentre es requereix l’esmena de deficiències.',
    'El plazo máximo para resolver se suspende mientras se requiere la subsanación de deficiencias.',
  ),
  acknowledgement: article(
    '21.4',
    'En deu dies es comunica el termini màxim per resoldre i l’efecte del silenci.',
    'En diez días se comunica el plazo máximo para resolver y el efecto del silencio.',
  ),
  maxTimeToResolve: article(
    '21.2',
    'Termini màxim per resoldre i notificar fixat per l’ordenança (màxim sis mesos).',
    'Plazo máximo para resolver y notificar fijado por la ordenanza (máximo seis meses).',
  ),
  remedy: article(
    '68.1',
    'Deu dies hàbils per esmenar la sol·licitud; si no, se’n té per desistit.',
    'Diez días hábiles para subsanar la solicitud; si no, se le tiene por desistido.',
  ),
  notificationRejected: article(
    '43.2',
    'Notificació electrònica rebutjada si no s’hi accedeix en deu dies naturals.',
    'Notificación electrónica rechazada si no se accede en diez días naturales.',
  ),
  appeal: article(
    '124.1',
    'Recurs de reposició: un mes per interposar-lo i un mes per resoldre’l.',
    'Recurso de reposición: un mes para interponerlo y un mes para resolverlo.',
  ),
  repayment: {
    law: 'Llei 38/2003',
    article: '42.4',
    ca: 'El procediment de reintegrament s’ha de resoldre en dotze mesos.',
    es: 'El procedimiento de reintegro debe resolverse en doce meses.',
  },
  justification: {
    law: 'Llei 38/2003',
    article: '30',
    ca: 'Justificació de l’aplicació de l’ajut en el termini de l’ordenança.',
    es: 'Justificación de la aplicación de la ayuda en el plazo de la ordenanza.',
  },
} as const;

export function cite(basis: LegalBasis): string {
  return `${basis.law}, art. ${basis.article}`;
}
