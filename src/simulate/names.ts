/**
 * @module simulate/names
 * Word lists for the simulated population: given and family names per language (written in ASCII, as logins are),
 * and the pieces organisation names are made of. All organisations are fictitious; their domains use the reserved
 * `.example` top-level domain (RFC 2606), so a demo that sends warnings to `security@<domain>` can never reach a
 * real organisation.
 */
import type { Rng } from './rng.js';

export const LANGUAGES = ['en', 'es', 'de', 'fr', 'ur'] as const;
export type Language = (typeof LANGUAGES)[number];

export const GIVEN: Record<Language, readonly string[]> = {
  en: ['james', 'mary', 'john', 'patricia', 'robert', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'susan', 'richard', 'jessica', 'joseph', 'sarah', 'thomas', 'karen', 'daniel', 'emily', 'matthew', 'olivia', 'anthony', 'grace', 'mark', 'hannah', 'paul', 'chloe', 'steven', 'amelia', 'andrew', 'megan', 'kevin', 'laura', 'brian', 'rachel', 'george', 'alice', 'edward', 'natalie'],
  es: ['alejandro', 'lucia', 'javier', 'maria', 'carlos', 'carmen', 'miguel', 'sofia', 'pablo', 'elena', 'diego', 'paula', 'sergio', 'laura', 'jorge', 'marta', 'manuel', 'ana', 'fernando', 'isabel', 'raul', 'cristina', 'andres', 'beatriz', 'luis', 'rocio', 'alberto', 'pilar', 'ruben', 'teresa', 'ivan', 'nuria'],
  de: ['lukas', 'anna', 'jonas', 'lena', 'felix', 'marie', 'maximilian', 'julia', 'paul', 'laura', 'leon', 'sophie', 'tobias', 'katharina', 'florian', 'sarah', 'sebastian', 'johanna', 'moritz', 'lisa', 'jan', 'hannah', 'niklas', 'clara', 'stefan', 'sabine', 'andreas', 'claudia', 'thomas', 'petra', 'markus', 'anja'],
  fr: ['lucas', 'camille', 'hugo', 'manon', 'louis', 'chloe', 'arthur', 'ines', 'jules', 'lea', 'gabriel', 'emma', 'antoine', 'sarah', 'nicolas', 'julie', 'mathieu', 'claire', 'julien', 'pauline', 'thomas', 'marion', 'guillaume', 'celine', 'olivier', 'helene', 'benoit', 'sophie', 'yann', 'margaux', 'remi', 'amelie'],
  ur: ['ahmed', 'ayesha', 'ali', 'fatima', 'hassan', 'zainab', 'usman', 'maryam', 'bilal', 'sana', 'imran', 'hira', 'kamran', 'mehwish', 'faisal', 'saima', 'tariq', 'nadia', 'asad', 'rabia', 'hamza', 'amna', 'zeeshan', 'sadia', 'umar', 'iqra', 'adnan', 'huma', 'shahid', 'bushra', 'waqar', 'noor'],
};

export const FAMILY: Record<Language, readonly string[]> = {
  en: ['smith', 'johnson', 'williams', 'brown', 'jones', 'miller', 'davis', 'wilson', 'anderson', 'taylor', 'thomas', 'moore', 'martin', 'jackson', 'thompson', 'white', 'harris', 'clark', 'lewis', 'walker', 'hall', 'young', 'allen', 'wright', 'king', 'scott', 'green', 'baker', 'adams', 'nelson', 'hill', 'campbell', 'mitchell', 'roberts', 'carter', 'phillips', 'evans', 'turner', 'parker', 'collins'],
  es: ['garcia', 'fernandez', 'gonzalez', 'rodriguez', 'lopez', 'martinez', 'sanchez', 'perez', 'gomez', 'martin', 'jimenez', 'ruiz', 'hernandez', 'diaz', 'moreno', 'munoz', 'alvarez', 'romero', 'alonso', 'gutierrez', 'navarro', 'torres', 'dominguez', 'vazquez', 'ramos', 'gil', 'ramirez', 'serrano', 'blanco', 'molina', 'castro', 'ortiz'],
  de: ['mueller', 'schmidt', 'schneider', 'fischer', 'weber', 'meyer', 'wagner', 'becker', 'schulz', 'hoffmann', 'koch', 'richter', 'klein', 'wolf', 'schroeder', 'neumann', 'schwarz', 'braun', 'zimmermann', 'krueger', 'hartmann', 'lange', 'werner', 'krause', 'lehmann', 'koehler', 'maier', 'vogel', 'jung', 'hahn', 'keller', 'frank'],
  fr: ['martin', 'bernard', 'dubois', 'thomas', 'robert', 'richard', 'petit', 'durand', 'leroy', 'moreau', 'simon', 'laurent', 'lefebvre', 'michel', 'garcia', 'david', 'bertrand', 'roux', 'vincent', 'fournier', 'morel', 'girard', 'andre', 'mercier', 'dupont', 'lambert', 'bonnet', 'francois', 'martinez', 'legrand', 'garnier', 'faure'],
  ur: ['khan', 'ahmed', 'ali', 'hussain', 'shah', 'malik', 'qureshi', 'sheikh', 'butt', 'chaudhry', 'iqbal', 'raza', 'siddiqui', 'abbasi', 'javed', 'akhtar', 'mirza', 'baig', 'rana', 'aslam', 'anwar', 'bashir', 'haider', 'nawaz', 'rehman', 'saleem', 'tariq', 'zafar', 'yousaf', 'mahmood', 'kazmi', 'gillani'],
};

/** Role mailboxes and admin accounts that attackers guess at every organisation. */
export const GUESSED_ROLE_NAMES = ['admin', 'administrator', 'info', 'contact', 'office', 'press', 'media', 'hr', 'finance', 'it', 'support', 'helpdesk', 'test', 'scanner', 'reception', 'webmaster', 'jobs', 'donate', 'volunteer', 'events'];

/** Surname-style words and places organisation names are made from. */
const FOUNDERS = ['Ashford', 'Bramwell', 'Calloway', 'Delmont', 'Everly', 'Fairbanks', 'Greystone', 'Halloran', 'Ivers', 'Kettering', 'Lindqvist', 'Marlowe', 'Northcott', 'Oakhurst', 'Pemberton', 'Quenby', 'Rosslyn', 'Sterling', 'Thornbury', 'Valmont', 'Whitcombe', 'Yardley'];
const PLACES: Record<Language, readonly string[]> = {
  en: ['Harbor', 'Ridge', 'Lakeside', 'Meridian', 'Northgate', 'Riverside', 'Summit', 'Westfield', 'Brookline', 'Highland', 'Clearwater', 'Stonebridge'],
  es: ['Valdeluz', 'Sierra Alta', 'Riberas', 'Montealegre', 'Villaclara', 'Puerto Claro', 'Los Almendros', 'Campoverde'],
  de: ['Lindenau', 'Bergheim', 'Rheinfeld', 'Seewald', 'Nordhafen', 'Steinbach', 'Wiesental', 'Eichenau'],
  fr: ['Valmont', 'Beaulieu', 'Montclair', 'Clairefontaine', 'Boisvert', 'Rochebrune', 'Haute-Rive', 'Saint-Aubert'],
  ur: ['Gulshan', 'Shadab', 'Noorabad', 'Sabzazar', 'Chandni', 'Baghbanpura', 'Rahimabad', 'Sitara'],
};

export const ORG_KINDS = ['campaign', 'party', 'think_tank', 'ngo', 'newsroom', 'consultancy', 'business', 'agency'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** A fictitious organisation name for its kind and language. */
export function orgName(kind: OrgKind, lang: Language, rng: Rng): string {
  const founder = rng.pick(FOUNDERS);
  const place = rng.pick(PLACES[lang]);
  const family = rng.pick(FAMILY[lang]);
  const surname = family[0].toUpperCase() + family.slice(1);
  const by: Record<Language, Record<OrgKind, string[]>> = {
    en: {
      campaign: [`${surname} for Congress`, `${surname} 2020`, `Friends of ${surname}`],
      party: [`${place} Democratic Committee`, `${place} Reform Party`],
      think_tank: [`${founder} Institute for Policy Studies`, `${founder} Center for International Affairs`],
      ngo: [`${place} Rights Watch`, `${founder} Foundation`, `Open ${place} Trust`],
      newsroom: [`The ${place} Courier`, `${place} Daily Record`],
      consultancy: [`${founder} & ${surname} Strategies`, `${founder} Public Affairs`],
      business: [`${founder} Logistics`, `${place} Energy Partners`],
      agency: [`${place} County Elections Office`, `${place} City Council`],
    },
    es: {
      campaign: [`${surname} Presidente`, `Plataforma ${surname}`],
      party: [`Partido ${place} Democratico`, `Movimiento ${place}`],
      think_tank: [`Instituto ${founder} de Estudios Politicos`, `Fundacion ${founder}`],
      ngo: [`Derechos ${place}`, `Fundacion ${surname}`],
      newsroom: [`Diario ${place}`, `El Correo de ${place}`],
      consultancy: [`${surname} y Asociados`, `Consultora ${founder}`],
      business: [`Grupo ${founder}`, `Logistica ${place}`],
      agency: [`Ayuntamiento de ${place}`, `Instituto Electoral de ${place}`],
    },
    de: {
      campaign: [`Team ${surname}`, `${surname} fuer ${place}`],
      party: [`${place} Buergerbund`, `Partei fuer ${place}`],
      think_tank: [`${founder}-Institut fuer Politik`, `${founder}-Stiftung`],
      ngo: [`${place} Menschenrechte e.V.`, `${surname}-Stiftung`],
      newsroom: [`${place}er Rundschau`, `${place}er Tageblatt`],
      consultancy: [`${surname} & Partner Beratung`, `${founder} Consulting`],
      business: [`${founder} Logistik GmbH`, `${place} Energie AG`],
      agency: [`Stadtverwaltung ${place}`, `Wahlamt ${place}`],
    },
    fr: {
      campaign: [`${surname} 2020`, `Ensemble avec ${surname}`],
      party: [`Rassemblement ${place}`, `Mouvement ${place}`],
      think_tank: [`Institut ${founder} de Recherche Politique`, `Fondation ${founder}`],
      ngo: [`Droits ${place}`, `Association ${surname}`],
      newsroom: [`Le Courrier de ${place}`, `La Gazette de ${place}`],
      consultancy: [`${surname} Conseil`, `${founder} Affaires Publiques`],
      business: [`Groupe ${founder}`, `${place} Energie`],
      agency: [`Mairie de ${place}`, `Prefecture de ${place}`],
    },
    ur: {
      campaign: [`${surname} for Assembly`, `Awaam ${surname}`],
      party: [`${place} Awami League`, `${place} Justice Party`],
      think_tank: [`${founder} Institute of Policy Research`, `Centre for Strategic Studies ${place}`],
      ngo: [`Insaf ${place} Trust`, `${surname} Welfare Foundation`],
      newsroom: [`Daily ${place} Times`, `${place} Akhbar`],
      consultancy: [`${surname} Associates`, `${founder} Advisory`],
      business: [`${surname} Textiles`, `${place} Trading Company`],
      agency: [`${place} Election Commission Office`, `${place} Municipal Corporation`],
    },
  };
  return rng.pick(by[lang][kind]);
}

/** A domain label from a name: lower-case letters and digits joined by hyphens, at most four words. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => !['the', 'of', 'for', 'de', 'la', 'le', 'el', 'y', 'and', 'e', 'v', 'fuer'].includes(w))
    .slice(0, 3)
    .join('-');
}
