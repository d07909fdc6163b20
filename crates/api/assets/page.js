/* Matinale's built-in pages, in plain JavaScript (no framework, no build step).
 *
 * /r/{id}?e={event_id}#token={manage_token}: the participant's page. The token is read from
 * the fragment, which browsers never send to a server, and goes to the JSON API only in the
 * `Authorization: Bearer` header: it is never put in a URL this page requests. Once read, it is
 * kept in memory only and removed from the address bar (history.replaceState), with the
 * confirmation mail's e-mail verification secret (`?verify=`), which the page first sends to
 * POST /api/v1/registrations/{id}/email-verification. `?e=` is used only when it is a UUID.
 * /e/{id}: an event's public page, with its registration form.
 *
 * Everything shown is built with DOM methods (textContent), never from HTML strings, so that
 * names and needs typed by others cannot inject markup.
 *
 * An ES module: the DOM builder, the API client and the filling of messages are the console's
 * shared modules (/console/dom.js, api.js, i18n.js), written once for both. */
import {h} from '/console/dom.js';
import {request} from '/console/api.js';
import {fill} from '/console/i18n.js';

(function () {
  // Outcomes of held meetings have no API yet (they come with the after-publication issue):
  // their section stays hidden until this is true and renderOutcomes() is written.
  var OUTCOMES_API = false;

  var STRINGS = {
    fr: {
      skip: 'Aller au contenu',
      switch_to: 'English',
      switch_lang: 'en',
      loading: 'Chargement…',
      my_registration: 'Mon inscription',
      page_title_registration: 'Mon inscription · Matinale',
      page_title_event: '{0} · Matinale',
      status_confirmed: 'Inscription confirmée',
      status_waitlisted: "Sur liste d'attente",
      status_cancelled: 'Inscription annulée',
      status_attended: 'Présence enregistrée',
      status_no_show: 'Absence constatée',
      waitlist_position: "Vous êtes en position {0} sur la liste d'attente ({1}).",
      waitlist_why: 'Pourquoi : {0}.',
      waitlist_next: "Dès qu'une place se libère dans votre catégorie, elle revient à la première personne de la liste : vous recevrez alors un e-mail de confirmation.",
      cancelled_note: "Votre inscription est annulée. Vous pouvez vous réinscrire depuis la page de l'événement s'il reste des places.",
      name: 'Nom',
      email: 'Adresse e-mail',
      category: 'Catégorie',
      organisation: 'Organisation',
      organisation_unconfirmed: '{0} (rattachement à confirmer par les organisateurs)',
      none: '—',
      cat_buyer: 'acheteurs publics',
      cat_ess_structure: "structures de l'ESS",
      cat_partner: 'partenaires',
      cat_visitor: 'visiteurs',
      cat1_buyer: 'Acheteur public',
      cat1_ess_structure: "Structure de l'ESS",
      cat1_partner: 'Partenaire',
      cat1_visitor: 'Visiteur ou visiteuse',
      accessibility: "Besoins d'accessibilité",
      accessibility_hint: 'Fauteuil, boucle magnétique, interprète LSF, régime alimentaire… Seuls les organisateurs les voient.',
      save: 'Enregistrer',
      saved: 'Modifications enregistrées.',
      email_verified: 'Votre adresse e-mail est confirmée.',
      stale: "Votre inscription a changé entre-temps : voici la version à jour, refaites votre modification si besoin.",
      history: 'Historique de mon inscription',
      history_line: '{0} : {1}',
      cancel: 'Annuler mon inscription',
      cancel_confirm_title: 'Annuler votre inscription ?',
      cancel_confirm_text: "Votre place sera donnée à la première personne de la liste d'attente. Cette action est définitive.",
      cancel_yes: "Oui, j'annule",
      cancel_no: 'Non, je garde ma place',
      cancelled_done: 'Votre inscription est annulée.',
      event_info: 'Programme et informations pratiques',
      map: 'Voir sur la carte (OpenStreetMap)',
      online: 'Lien de connexion',
      agenda: 'Mon agenda',
      agenda_none: 'Aucun rendez-vous pour le moment. Si vous participez aux speed meetings, votre planning vous sera envoyé par e-mail dès sa publication.',
      agenda_caption: 'Mes rendez-vous',
      col_time: 'Heure',
      col_table: 'Table',
      col_partner: 'Avec',
      col_organisation: 'Organisation',
      meeting_cancelled: '(annulé)',
      you_sit: 'vous restez à votre table',
      you_walk: 'vous rejoignez la table',
      download_ics: 'Télécharger mon agenda (.ics)',
      downloaded: 'Agenda téléchargé.',
      subscribe: "M'abonner dans mon agenda",
      subscribe_done: "Votre abonnement est prêt. Ce lien secret est personnel ; en demander un nouveau désactive l'ancien.",
      subscribe_open: "Ouvrir l'abonnement dans mon application d'agenda",
      subscribe_url: "Ou copiez l'adresse de l'abonnement",
      wishes: 'Speed meetings : qui souhaitez-vous rencontrer ?',
      wishes_made: 'Mes demandes',
      wishes_received: 'Demandes reçues',
      wishes_none_made: "Vous n'avez encore demandé aucun rendez-vous.",
      wishes_none_received: "Personne ne vous a encore demandé de rendez-vous.",
      wish_interest_made: 'Intérêt pour le besoin « {0} » de {1}',
      wish_declined: 'déclinée : ce rendez-vous ne sera pas programmé',
      withdraw: 'Retirer',
      withdrawn: 'Demande retirée.',
      decline: 'Décliner',
      declined_done: 'Demande déclinée.',
      wish_back: 'Moi aussi, je souhaite ce rendez-vous',
      priority: 'Priorité',
      priority_3: '3 — très important',
      priority_2: '2 — important',
      priority_1: '1 — si possible',
      wished_done: 'Votre demande est enregistrée.',
      a_participant: 'un·e participant·e',
      wish_direct_made_to: 'Rendez-vous avec {0} (priorité {1})',
      wish_interest_received_from: '{0} s\'intéresse à votre besoin « {1} »',
      wish_direct_received_from: '{0} souhaite vous rencontrer (priorité {1})',
      pick_buyer: "Les structures de l'ESS de l'événement",
      pick_ess_structure: "Les acheteurs de l'événement",
      pick_intro: 'Choisissez qui rencontrer et avec quelle priorité. Les noms ne sont affichés que si la personne a accepté de partager ses coordonnées.',
      pick_search: 'Rechercher une organisation ou une personne',
      pick_search_button: 'Rechercher',
      pick_count: '{0} sur {1}',
      pick_none: 'Aucun participant ne correspond.',
      pick_more: 'Afficher plus',
      pick_needs: 'Besoins : {0}',
      pick_wish: 'Demander un rendez-vous',
      pick_wished: 'Demande envoyée ✓',
      pick_waiting: 'La liste des participants s\'affichera une fois votre inscription confirmée.',
      participation: 'Ma participation aux speed meetings',
      participation_opt_in: 'Je participe aux speed meetings',
      participation_max: 'Nombre maximum de rendez-vous',
      participation_max_hint: 'De 1 à 200 ; laissez vide pour ne pas fixer de limite.',
      participation_off: "Vous ne participez pas : vous n'apparaissez pas dans la liste des participants et aucun rendez-vous ne vous sera proposé.",
      participation_saved: 'Votre participation est enregistrée.',
      participation_open_to_any: "Le jour J, je veux bien rencontrer n'importe quel participant si une table se libère",
      participation_open_to_any_hint: "Plutôt que de vous laisser attendre seul·e, les organisateurs pourront vous asseoir avec une personne que vous n'avez pas demandée.",
      presence: 'Mes horaires le jour J',
      presence_intro: "Vous arrivez plus tard ou partez plus tôt ? Dites-le : aucun rendez-vous ne vous sera donné en dehors de ces heures, et personne ne vous attendra seul·e.",
      presence_from: "J'arrive à",
      presence_until: 'Je pars à',
      presence_from_start: 'dès le premier rendez-vous',
      presence_until_end: 'après le dernier rendez-vous',
      presence_saved: 'Vos horaires sont enregistrés.',
      buyers: 'Les acheteurs et leurs besoins',
      buyers_intro: 'Exprimez votre intérêt pour un besoin : il compte comme une demande de rendez-vous avec cet acheteur.',
      buyers_none: "Aucun acheteur n'a encore publié de besoin pour cet événement.",
      buyer_side_note: "Les structures de l'ESS qui s'intéressent à vos besoins apparaissent dans « Demandes reçues ».",
      interest: 'Je suis intéressé·e',
      interest_message: "Votre message à l'acheteur",
      interest_message_hint: 'Présentez votre offre en quelques lignes (facultatif).',
      interest_send: 'Envoyer mon intérêt',
      interest_sent: "Votre intérêt est enregistré : il compte comme une demande de rendez-vous.",
      interest_already: 'Intérêt exprimé ✓',
      interest_no_organisation: "Pour dire votre intérêt, votre inscription doit nommer votre structure de l'ESS : demandez aux organisateurs de l'événement de la rattacher à votre inscription. En attendant, vous pouvez demander un rendez-vous aux acheteurs qui vous intéressent.",
      interest_unconfirmed: "Pour dire votre intérêt au nom de {0}, les organisateurs doivent d'abord confirmer votre rattachement à cette structure (ou inscrivez-vous avec l'adresse e-mail d'un compte membre de la structure). En attendant, vous pouvez demander un rendez-vous aux acheteurs qui vous intéressent.",
      outcomes: 'Suites de mes rendez-vous',
      need_amount: '{0} à {1} €',
      need_amount_from: 'à partir de {0} €',
      need_amount_to: "jusqu'à {0} €",
      need_tender: "Consultation prévue le {0}",
      rm_l2113_12: 'Marché réservé (L2113-12 : EA, ESAT)',
      rm_l2113_13: 'Marché réservé (L2113-13 : SIAE)',
      social_clause: 'Clause sociale',
      environmental_criterion: 'Critère environnemental',
      stand_at: 'Stand : {0}',
      bad_link_title: "Ce lien n'est plus valable",
      no_token_title: 'Recevoir mon lien personnel',
      bad_link_text: "Le lien que vous avez suivi ne permet pas d'ouvrir cette inscription : il est incomplet, a été remplacé, ou l'inscription n'existe plus.",
      no_token_text: "Pour des raisons de sécurité, cette page s'ouvre avec le lien personnel reçu par e-mail.",
      new_link_intro: "Recevez un nouveau lien par e-mail : indiquez l'adresse avec laquelle vous vous êtes inscrit·e. Si cette adresse n'était pas inscrite, ce formulaire vous inscrit.",
      new_link_send: 'Recevoir un nouveau lien',
      new_link_sent: 'Si {0} est inscrite à cet événement, un nouveau lien vient de lui être envoyé (au plus un toutes les 10 minutes). Vérifiez votre messagerie, et vos indésirables.',
      new_link_registered: "Cette adresse n'était pas inscrite : c'est fait. Un e-mail de confirmation arrive.",
      which_event: 'Événement',
      choose_event: 'Choisissez un événement',
      no_event: "Aucun événement ouvert à l'inscription pour le moment.",
      first_name: 'Prénom',
      last_name: 'Nom',
      phone: 'Téléphone (facultatif)',
      required: '(obligatoire)',
      optional: '(facultatif)',
      organisation_pick: 'Votre organisation (facultatif)',
      organisation_none: 'Non listée / aucune',
      share_contact: 'J\'accepte que mes coordonnées soient transmises aux personnes que je rencontre en rendez-vous.',
      register: "S'inscrire",
      register_title: "S'inscrire",
      register_link: "S'inscrire à cet événement ↓",
      registration_closed: "Les inscriptions ne sont pas ouvertes pour cet événement.",
      registration_window: 'Inscriptions du {0} au {1}.',
      registered_confirmed: 'Merci {0}, votre inscription est confirmée !',
      registered_waitlisted: "Merci {0} : l'événement est complet dans votre catégorie, vous êtes en position {1} sur la liste d'attente.",
      check_mail: 'Un e-mail vient de vous être envoyé à {0} avec votre lien personnel pour consulter, modifier ou annuler votre inscription. Vérifiez votre messagerie.',
      open_my_page: 'Ouvrir ma page dès maintenant',
      already_registered: 'Cette adresse est déjà inscrite à cet événement : nous vous renvoyons votre lien personnel par e-mail (au plus un toutes les 10 minutes).',
      programme: 'Programme',
      programme_none: 'Le programme sera publié prochainement.',
      speakers: 'Avec {0}',
      kind_talk: 'Intervention', kind_quiz: 'Quiz', kind_testimony: 'Témoignage', kind_stands: 'Stands',
      kind_speed_meetings: 'Speed meetings', kind_break: 'Pause',
      venue: 'Lieu',
      when: 'Date',
      stands_inverted: 'Stands inversés : les besoins des acheteurs',
      stands_classic: "Stands des structures de l'ESS",
      interest_from_page: "Inscrit·e comme structure de l'ESS ? Exprimez votre intérêt pour un besoin depuis votre page personnelle (lien dans votre e-mail de confirmation).",
      event_not_found: 'Événement introuvable',
      event_not_found_text: "Cet événement n'existe pas ou n'est pas publié.",
      event_cancelled: 'Cet événement est annulé.',
      error_generic: 'Une erreur est survenue ({0}). Réessayez dans un instant.',
      error_network: 'Le serveur ne répond pas. Vérifiez votre connexion et réessayez.',
      error_rate: 'Trop de demandes depuis votre connexion : réessayez dans {0} secondes.',
      error_fields: 'Corrigez les champs signalés :',
      error_401: "Ce lien n'est plus valable.",
      error_403: "Cette action ne vous est pas ouverte.",
      error_404: "Introuvable : ce lien ou cette inscription n'existe plus.",
      error_409: "Ce n'est pas possible dans l'état actuel (déjà fait, ou plus ouvert).",
      error_412: "La page n'était plus à jour : rechargez-la, puis recommencez.",
      error_413: 'Le texte envoyé est trop long.',
      error_422: 'Certaines valeurs ne sont pas acceptées.',
      code_required: 'Ce champ est obligatoire.',
      code_too_long: 'Ce texte est trop long.',
      code_invalid: "Cette valeur n'est pas valable.",
      code_out_of_range: 'Cette valeur est hors des limites permises.',
      code_invalid_choice: "Ce choix n'est pas valable.",
      code_control_characters: 'Ce texte contient des caractères non permis.',
      code_unknown: "Cette valeur ne correspond à rien de connu.",
      code_no_organisation: "Votre inscription ne nomme pas de structure.",
      code_organisation_unconfirmed: "Votre rattachement à la structure n'est pas encore confirmé par les organisateurs.",
      code_category: "Votre catégorie d'inscription ne le permet pas.",
      code_other_event: "Cela concerne un autre événement.",
      code_before_arrival: "L'heure de départ doit venir après l'heure d'arrivée.",
      code_other: "Cette valeur n'est pas acceptée.",
      retry: 'Réessayer',
      reason: {
        'registered; a seat was free': 'inscription confirmée : une place était libre',
        'registered; every seat of its category was taken': 'toutes les places de votre catégorie étaient prises au moment de votre inscription',
        'promoted from the waiting list: a seat was freed': "une place s'est libérée : vous avez quitté la liste d'attente",
        'cancelled by the registrant': 'annulée par vous-même',
        'cancelled by an organiser': 'annulée par les organisateurs',
        'checked in': 'présence enregistrée à l\'accueil',
        'did not check in': 'absence constatée'
      }
    },
    en: {
      skip: 'Skip to content',
      switch_to: 'Français',
      switch_lang: 'fr',
      loading: 'Loading…',
      my_registration: 'My registration',
      page_title_registration: 'My registration · Matinale',
      page_title_event: '{0} · Matinale',
      status_confirmed: 'Registration confirmed',
      status_waitlisted: 'On the waiting list',
      status_cancelled: 'Registration cancelled',
      status_attended: 'Checked in',
      status_no_show: 'Marked absent',
      waitlist_position: 'You are number {0} on the waiting list ({1}).',
      waitlist_why: 'Why: {0}.',
      waitlist_next: 'When a seat of your category frees up, it goes to the first person on the list: you will then get a confirmation e-mail.',
      cancelled_note: 'Your registration is cancelled. You may register again from the event page if seats are left.',
      name: 'Name',
      email: 'E-mail',
      category: 'Category',
      organisation: 'Organisation',
      organisation_unconfirmed: '{0} (to be confirmed by the organisers)',
      none: '—',
      cat_buyer: 'public buyers',
      cat_ess_structure: 'social economy structures',
      cat_partner: 'partners',
      cat_visitor: 'visitors',
      cat1_buyer: 'Public buyer',
      cat1_ess_structure: 'Social economy (ESS) structure',
      cat1_partner: 'Partner',
      cat1_visitor: 'Visitor',
      accessibility: 'Accessibility needs',
      accessibility_hint: 'Wheelchair, hearing loop, sign-language interpreter, diet… Only the organisers see them.',
      save: 'Save',
      saved: 'Changes saved.',
      email_verified: 'Your e-mail address is confirmed.',
      stale: 'Your registration changed in the meantime: here is the current version, make your change again if needed.',
      history: 'History of my registration',
      history_line: '{0}: {1}',
      cancel: 'Cancel my registration',
      cancel_confirm_title: 'Cancel your registration?',
      cancel_confirm_text: 'Your seat will go to the first person on the waiting list. This cannot be undone.',
      cancel_yes: 'Yes, cancel',
      cancel_no: 'No, keep my seat',
      cancelled_done: 'Your registration is cancelled.',
      event_info: 'Programme and practical information',
      map: 'See on the map (OpenStreetMap)',
      online: 'Online link',
      agenda: 'My agenda',
      agenda_none: 'No meeting yet. If you take part in the speed meetings, your timetable will be e-mailed to you as soon as it is published.',
      agenda_caption: 'My meetings',
      col_time: 'Time',
      col_table: 'Table',
      col_partner: 'With',
      col_organisation: 'Organisation',
      meeting_cancelled: '(cancelled)',
      you_sit: 'you stay at your table',
      you_walk: 'you go to the table',
      download_ics: 'Download my agenda (.ics)',
      downloaded: 'Agenda downloaded.',
      subscribe: 'Subscribe in my calendar',
      subscribe_done: 'Your subscription is ready. This secret link is personal; asking for a new one turns the old one off.',
      subscribe_open: 'Open the subscription in my calendar app',
      subscribe_url: 'Or copy the subscription address',
      wishes: 'Speed meetings: whom would you like to meet?',
      wishes_made: 'My requests',
      wishes_received: 'Requests received',
      wishes_none_made: 'You have not asked for any meeting yet.',
      wishes_none_received: 'Nobody has asked to meet you yet.',
      wish_interest_made: 'Interest in the need “{0}” of {1}',
      wish_declined: 'declined: this meeting will not be scheduled',
      withdraw: 'Withdraw',
      withdrawn: 'Request withdrawn.',
      decline: 'Decline',
      declined_done: 'Request declined.',
      wish_back: 'I would like this meeting too',
      priority: 'Priority',
      priority_3: '3 — very important',
      priority_2: '2 — important',
      priority_1: '1 — if possible',
      wished_done: 'Your request is saved.',
      a_participant: 'a participant',
      wish_direct_made_to: 'Meeting with {0} (priority {1})',
      wish_interest_received_from: '{0} is interested in your need “{1}”',
      wish_direct_received_from: '{0} would like to meet you (priority {1})',
      pick_buyer: 'Social economy structures at this event',
      pick_ess_structure: 'Buyers at this event',
      pick_intro: 'Choose whom to meet and how much it matters. Names are shown only when the person agreed to share their contact details.',
      pick_search: 'Search an organisation or a person',
      pick_search_button: 'Search',
      pick_count: '{0} of {1}',
      pick_none: 'No participant matches.',
      pick_more: 'Show more',
      pick_needs: 'Needs: {0}',
      pick_wish: 'Ask for a meeting',
      pick_wished: 'Request sent ✓',
      pick_waiting: 'The list of participants will show once your registration is confirmed.',
      participation: 'My participation in speed meetings',
      participation_opt_in: 'I take part in the speed meetings',
      participation_max: 'Maximum number of meetings',
      participation_max_hint: '1 to 200; leave empty for no limit.',
      participation_off: 'You do not take part: you are not in the list of participants and no meeting will be scheduled for you.',
      participation_saved: 'Your participation is saved.',
      participation_open_to_any: 'On the day, I am happy to meet anyone if a table is free',
      participation_open_to_any_hint: 'Rather than leave you waiting alone, the organisers may then seat you with someone you did not ask for.',
      presence: 'My times on the day',
      presence_intro: 'Arriving later or leaving earlier? Say so: no meeting will be given to you outside those times, and nobody will wait alone for you.',
      presence_from: 'I will arrive at',
      presence_until: 'I leave at',
      presence_from_start: 'for the first meeting',
      presence_until_end: 'after the last meeting',
      presence_saved: 'Your times are saved.',
      buyers: 'Buyers and their needs',
      buyers_intro: 'Express your interest in a need: it counts as a request to meet that buyer.',
      buyers_none: 'No buyer has published a need for this event yet.',
      buyer_side_note: 'Social economy structures interested in your needs appear under “Requests received”.',
      interest: 'I am interested',
      interest_message: 'Your message to the buyer',
      interest_message_hint: 'Describe your offer in a few lines (optional).',
      interest_send: 'Send my interest',
      interest_sent: 'Your interest is saved: it counts as a meeting request.',
      interest_already: 'Interest expressed ✓',
      interest_no_organisation: 'To say you are interested, your registration must name your social economy structure: ask the organisers of the event to attach it to your registration. Meanwhile, you can ask the buyers you are interested in for a meeting.',
      interest_unconfirmed: 'To say you are interested on behalf of {0}, the organisers must first confirm that you belong to it (or register with the e-mail address of a member account of the structure). Meanwhile, you can ask the buyers you are interested in for a meeting.',
      outcomes: 'What came of my meetings',
      need_amount: '€{0} to €{1}',
      need_amount_from: 'from €{0}',
      need_amount_to: 'up to €{0}',
      need_tender: 'Tender expected on {0}',
      rm_l2113_12: 'Reserved market (L2113-12: EA, ESAT)',
      rm_l2113_13: 'Reserved market (L2113-13: SIAE)',
      social_clause: 'Social clause',
      environmental_criterion: 'Environmental criterion',
      stand_at: 'Stand: {0}',
      bad_link_title: 'This link no longer works',
      no_token_title: 'Get my personal link',
      bad_link_text: 'The link you followed cannot open this registration: it is incomplete, was replaced, or the registration no longer exists.',
      no_token_text: 'For your security, this page opens with the personal link you received by e-mail.',
      new_link_intro: 'Get a new link by e-mail: give the address you registered with. If that address was not registered, this form registers you.',
      new_link_send: 'Send me a new link',
      new_link_sent: 'If {0} is registered for this event, a new link has just been sent to it (at most one every 10 minutes). Check your inbox, and your spam folder.',
      new_link_registered: 'That address was not registered: it is now. A confirmation e-mail is on its way.',
      which_event: 'Event',
      choose_event: 'Choose an event',
      no_event: 'No event is open for registration at the moment.',
      first_name: 'First name',
      last_name: 'Last name',
      phone: 'Phone (optional)',
      required: '(required)',
      optional: '(optional)',
      organisation_pick: 'Your organisation (optional)',
      organisation_none: 'Not listed / none',
      share_contact: 'I agree that my contact details are given to the people I meet in speed meetings.',
      register: 'Register',
      register_title: 'Register',
      register_link: 'Register for this event ↓',
      registration_closed: 'Registration is not open for this event.',
      registration_window: 'Registration from {0} to {1}.',
      registered_confirmed: 'Thank you {0}, your registration is confirmed!',
      registered_waitlisted: 'Thank you {0}: the event is full in your category, you are number {1} on the waiting list.',
      check_mail: 'An e-mail has just been sent to {0} with your personal link to view, change or cancel your registration. Check your inbox.',
      open_my_page: 'Open my page now',
      already_registered: 'This address is already registered for this event: we are e-mailing your personal link again (at most one every 10 minutes).',
      programme: 'Programme',
      programme_none: 'The programme will be published soon.',
      speakers: 'With {0}',
      kind_talk: 'Talk', kind_quiz: 'Quiz', kind_testimony: 'Testimony', kind_stands: 'Stands',
      kind_speed_meetings: 'Speed meetings', kind_break: 'Break',
      venue: 'Venue',
      when: 'Date',
      stands_inverted: 'Inverted stands: what buyers need',
      stands_classic: 'Stands of social economy structures',
      interest_from_page: 'Registered as a social economy structure? Express your interest in a need from your personal page (link in your confirmation e-mail).',
      event_not_found: 'Event not found',
      event_not_found_text: 'This event does not exist or is not published.',
      event_cancelled: 'This event is cancelled.',
      error_generic: 'Something went wrong ({0}). Please try again in a moment.',
      error_network: 'The server does not answer. Check your connection and try again.',
      error_rate: 'Too many requests from your connection: try again in {0} seconds.',
      error_fields: 'Please correct the fields marked:',
      retry: 'Try again',
      reason: {
        'registered; a seat was free': 'registration confirmed: a seat was free',
        'registered; every seat of its category was taken': 'every seat of your category was taken when you registered',
        'promoted from the waiting list: a seat was freed': 'a seat was freed: you left the waiting list',
        'cancelled by the registrant': 'cancelled by you',
        'cancelled by an organiser': 'cancelled by the organisers',
        'checked in': 'checked in at the desk',
        'did not check in': 'marked absent'
      }
    }
  };

  var LANG_KEY = 'matinale.lang';
  var lang = storedLang() || 'fr';

  function storedLang() {
    try {
      var v = window.localStorage.getItem(LANG_KEY);
      return v === 'fr' || v === 'en' ? v : null;
    } catch (e) {
      return null;
    }
  }

  function t(key) {
    var s = STRINGS[lang][key];
    if (s === undefined) s = STRINGS.fr[key];
    if (s === undefined) return key;
    return fill(String(s), Array.prototype.slice.call(arguments, 1), '');
  }

  function reasonText(reason) {
    return STRINGS[lang].reason[reason] || reason;
  }

  /* ---------- DOM ---------- */

  function announce(text) {
    var live = document.getElementById('live');
    if (!live) return;
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function notice(kind, children, props) {
    props = props || {};
    props.class = 'notice notice-' + kind;
    if (kind === 'error' && !props.role) props.role = 'alert';
    return h('div', props, children);
  }

  var uid = 0;
  function nextId(prefix) {
    uid += 1;
    return prefix + '-' + uid;
  }

  // A labelled control; `control` is an element without id, given one here.
  function field(labelText, control, hint) {
    var id = control.id || nextId('f');
    control.id = id;
    var children = [h('label', { for: id }, [labelText, hint ? h('span', { class: 'hint', id: id + '-hint', text: hint }) : null]), control];
    if (hint) control.setAttribute('aria-describedby', id + '-hint');
    return h('div', { class: 'field' }, children);
  }

  function busy(button, on) {
    if (!button) return;
    button.disabled = on;
    if (on) button.setAttribute('aria-busy', 'true');
    else button.removeAttribute('aria-busy');
  }

  /* ---------- formats ---------- */

  function locale() {
    return lang === 'fr' ? 'fr-FR' : 'en-GB';
  }

  function fmt(iso, tz, opts) {
    try {
      var o = Object.assign({ timeZone: tz || 'Europe/Paris' }, opts);
      return new Intl.DateTimeFormat(locale(), o).format(new Date(iso));
    } catch (e) {
      return iso;
    }
  }

  function dateLong(iso, tz) {
    return fmt(iso, tz, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  }

  function time(iso, tz) {
    return fmt(iso, tz, { hour: '2-digit', minute: '2-digit' });
  }

  function dateTime(iso, tz) {
    return fmt(iso, tz, { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  function dayOnly(isoDate) {
    return fmt(isoDate + 'T12:00:00Z', 'UTC', { day: 'numeric', month: 'long', year: 'numeric' });
  }

  function money(n) {
    return new Intl.NumberFormat(locale()).format(n);
  }

  function whenText(ev) {
    return dateLong(ev.starts_at, ev.timezone) + ', ' + time(ev.starts_at, ev.timezone) + ' – ' + time(ev.ends_at, ev.timezone);
  }

  function venueText(v) {
    return v.name + ', ' + v.address + ', ' + v.postcode + ' ' + v.city;
  }

  function mapUrl(v) {
    return 'https://www.openstreetmap.org/search?query=' + encodeURIComponent(v.address + ', ' + v.postcode + ' ' + v.city);
  }

  /* ---------- API ---------- */

  // Calls the JSON API (the shared client): `{status, ok, data, headers}`, never a rejection; the
  // manage token, when given (`opts.token`), goes in the Authorization header only.
  var api = request;

  // The message of a failed call, for people. The API explains itself in English: on an
  // English page its detail is shown; in French, a message of the page by status.
  function failure(r) {
    if (r.status === 0) return t('error_network');
    if (r.status === 429) return t('error_rate', r.headers.get('Retry-After') || '60');
    var d = r.data && typeof r.data === 'object' ? r.data : {};
    if (lang === 'en') return d.detail || d.title || t('error_generic', r.status);
    return STRINGS.fr['error_' + r.status] || t('error_generic', r.status);
  }

  // One field error of a 422 in the page's language (by its code, in French).
  function fieldMessage(e) {
    if (lang === 'en') return e.message;
    return STRINGS.fr['code_' + e.code] || t('code_other');
  }

  // A 422's errors, as {field: message}.
  function fieldErrors(r) {
    var out = {};
    if (r.status === 422 && r.data && Array.isArray(r.data.errors)) {
      r.data.errors.forEach(function (e) { out[e.field] = fieldMessage(e); });
    }
    return out;
  }

  // Shows a failure in `box`; with field errors, marks each control named in `controls`.
  function showFailure(box, r, controls) {
    box.textContent = '';
    var errors = fieldErrors(r);
    var named = Object.keys(errors);
    Object.keys(controls || {}).forEach(function (f) {
      var c = controls[f];
      c.removeAttribute('aria-invalid');
      var old = document.getElementById(c.id + '-err');
      if (old) old.remove();
    });
    if (named.length) {
      var list = h('ul', {}, named.map(function (f) {
        var c = controls && controls[f];
        var label = c && c.id ? document.querySelector('label[for="' + c.id + '"]') : null;
        return h('li', { text: (label ? label.textContent : f) + ' : ' + errors[f] });
      }));
      box.appendChild(notice('error', [h('p', { text: t('error_fields') }), list]));
      named.forEach(function (f) {
        var c = controls && controls[f];
        if (!c) return;
        c.setAttribute('aria-invalid', 'true');
        var err = h('p', { class: 'field-error', id: c.id + '-err', text: errors[f] });
        c.insertAdjacentElement('afterend', err);
        c.setAttribute('aria-describedby', ((c.getAttribute('aria-describedby') || '') + ' ' + err.id).trim());
      });
      var first = controls && controls[named[0]];
      if (first) first.focus();
    } else {
      box.appendChild(notice('error', [h('p', { text: failure(r) })]));
    }
  }

  /* ---------- language ---------- */

  var rerender = function () {};

  function applyLang() {
    document.documentElement.lang = lang;
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (n) {
      n.textContent = t(n.getAttribute('data-i18n'));
    });
    var toggle = document.getElementById('lang-toggle');
    if (toggle) {
      toggle.textContent = t('switch_to');
      toggle.setAttribute('lang', t('switch_lang'));
      toggle.hidden = false;
    }
  }

  function setupLangToggle() {
    var toggle = document.getElementById('lang-toggle');
    if (!toggle) return;
    toggle.addEventListener('click', function () {
      lang = lang === 'fr' ? 'en' : 'fr';
      try { window.localStorage.setItem(LANG_KEY, lang); } catch (e) { /* private mode */ }
      applyLang();
      rerender();
      toggle.focus();
    });
  }

  function mount(nodes, focusTarget) {
    var app = document.getElementById('app');
    app.textContent = '';
    nodes.forEach(function (n) { if (n) app.appendChild(n); });
    applyLang();
    if (focusTarget) {
      var target = typeof focusTarget === 'string' ? document.getElementById(focusTarget) : focusTarget;
      if (target) {
        if (!target.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
          target.setAttribute('tabindex', '-1');
        }
        target.focus();
      }
    }
  }

  /* ---------- buyers and needs (both pages) ---------- */

  // Inverted stands and open needs of an event, grouped by buyer organisation.
  function loadBuyers(eventId) {
    return Promise.all([
      api('GET', '/api/v1/events/' + eventId + '/stands'),
      api('GET', '/api/v1/needs?event=' + eventId + '&status=open&per_page=200')
    ]).then(function (rs) {
      var stands = rs[0].ok && Array.isArray(rs[0].data) ? rs[0].data : [];
      var needs = rs[1].ok && rs[1].data && Array.isArray(rs[1].data.items) ? rs[1].data.items : [];
      var buyers = {};
      var order = [];
      function buyer(orgId, name) {
        if (!buyers[orgId]) {
          buyers[orgId] = { id: orgId, name: name, stands: [], needs: [] };
          order.push(orgId);
        }
        if (name && !buyers[orgId].name) buyers[orgId].name = name;
        return buyers[orgId];
      }
      stands.filter(function (s) { return s.kind === 'inverted'; }).forEach(function (s) {
        buyer(s.organisation_id, s.organisation_name).stands.push(s);
      });
      needs.filter(function (n) { return n.status === 'open'; }).forEach(function (n) {
        buyer(n.organisation_id, null).needs.push(n);
      });
      var missing = order.filter(function (id) { return !buyers[id].name; });
      return Promise.all(missing.map(function (id) {
        return api('GET', '/api/v1/organisations/' + id).then(function (r) {
          buyers[id].name = r.ok ? r.data.name : '';
        });
      })).then(function () {
        return {
          buyers: order.map(function (id) { return buyers[id]; }),
          classic: stands.filter(function (s) { return s.kind === 'classic'; }),
          needs: needs
        };
      });
    });
  }

  function needBlock(n, extra) {
    var tags = [];
    if (n.reserved_market && n.reserved_market !== 'none') tags.push(t('rm_' + n.reserved_market));
    if (n.social_clause) tags.push(t('social_clause'));
    if (n.environmental_criterion) tags.push(t('environmental_criterion'));
    var amount = null;
    if (n.amount_min_eur !== null && n.amount_max_eur !== null) amount = t('need_amount', money(n.amount_min_eur), money(n.amount_max_eur));
    else if (n.amount_min_eur !== null) amount = t('need_amount_from', money(n.amount_min_eur));
    else if (n.amount_max_eur !== null) amount = t('need_amount_to', money(n.amount_max_eur));
    var meta = [n.category_label, amount, n.expected_tender_on ? t('need_tender', dayOnly(n.expected_tender_on)) : null]
      .filter(Boolean).join(' · ');
    return h('div', { class: 'need' }, [
      h('h4', { class: 'need-title', text: n.title }),
      h('p', { class: 'meta', text: meta }),
      n.description ? h('p', { text: n.description }) : null,
      tags.length ? h('ul', { class: 'tags' }, tags.map(function (x) { return h('li', { text: x }); })) : null
    ].concat(extra || []));
  }

  function buyerBlock(b, needExtra) {
    return h('div', { class: 'buyer' }, [
      h('h3', { text: b.name || '—' }),
      // Where the stand is; its title usually repeats the buyer and its need, shown below.
      b.stands.length ? h('p', { class: 'meta', text: b.stands.map(function (s) {
        return t('stand_at', s.location || s.title);
      }).join(' · ') }) : null
    ].concat(b.needs.map(function (n) { return needBlock(n, needExtra ? needExtra(n, b) : []); })));
  }

  /* ---------- the participant's page ---------- */

  var UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

  function isUuid(text) {
    return typeof text === 'string' && UUID.test(text);
  }

  function registrationPage() {
    var match = /^\/r\/([0-9a-fA-F-]{36})\/?$/.exec(window.location.pathname);
    var id = match && isUuid(match[1]) ? match[1] : null;
    var params = new URLSearchParams(window.location.search);
    var verify = params.get('verify');
    var S = {
      id: id,
      eventId: isUuid(params.get('e')) ? params.get('e') : null,
      token: tokenFromFragment(),
      reg: null, etag: null, agenda: null, org: null, wishes: null, buyers: null,
      feed: null, confirming: false, flash: null, openInterest: null, failedLoad: null, presence: null,
      // The other side's participants: all of them by registration id (names for wishes), and
      // the page of the search shown.
      people: null, pick: { q: '', items: [], total: 0, page: 0, error: null }
    };

    function tokenFromFragment() {
      var hash = window.location.hash.replace(/^#/, '');
      var found = new URLSearchParams(hash).get('token');
      return found ? found.trim() : null;
    }

    // The secrets leave the address bar (and so the history, bookmarks and shared screens)
    // once read: only the page and a valid `?e=` stay.
    function forgetSecretsInAddress() {
      if (!window.history || !window.history.replaceState) return;
      var kept = S.eventId ? '?e=' + S.eventId : '';
      window.history.replaceState(null, '', window.location.pathname + kept);
    }

    // The confirmation mail's link proves the address it was sent to; a wrong or used secret
    // changes nothing, and the page opens as usual.
    function verifyEmail() {
      if (!verify || !S.id) return Promise.resolve();
      return api('POST', '/api/v1/registrations/' + S.id + '/email-verification', { body: { token: verify.trim() } })
        .then(function (r) {
          if (r.ok) S.flash = { kind: 'ok', text: t('email_verified') };
        });
    }

    function authed(method, path, opts) {
      opts = opts || {};
      opts.token = S.token;
      return api(method, path, opts);
    }

    function load() {
      if (!S.id || !S.token) {
        renderNoAccess(!S.token && S.id ? 'no_token' : 'bad', false);
        return Promise.resolve();
      }
      return authed('GET', '/api/v1/registrations/' + S.id).then(function (r) {
        if (r.status === 401 || r.status === 404) {
          renderNoAccess('bad', false);
          return null;
        }
        if (!r.ok) {
          renderLoadFailure(r);
          return null;
        }
        S.reg = r.data;
        S.etag = r.headers.get('ETag');
        S.eventId = S.reg.event_id;
        if (!storedLang() && S.reg.locale === 'en') lang = 'en';
        return loadRest();
      });
    }

    function loadRest() {
      var reg = S.reg;
      var tasks = [
        authed('GET', '/api/v1/registrations/' + S.id + '/agenda').then(function (r) { S.agenda = r.ok ? r.data : null; }),
        reg.organisation_id
          ? api('GET', '/api/v1/organisations/' + reg.organisation_id).then(function (r) { S.org = r.ok ? r.data : null; })
          : null
      ];
      if (takesPartInMeetings()) {
        tasks.push(loadWishes(), loadPresence());
        // Buyers' needs: to choose from for a structure, titles of the needs of interests.
        tasks.push(loadBuyers(reg.event_id).then(function (b) { S.buyers = b; }));
        if (isLive()) tasks.push(loadPeople(), searchPeople('', 1));
      }
      return Promise.all(tasks).then(function () { render(); });
    }

    // Only confirmed or checked-in registrations see the other participants (the API says 403).
    function isLive() {
      return S.reg.status === 'confirmed' || S.reg.status === 'attended';
    }

    function otherSide() {
      return S.reg.category === 'buyer' ? 'ess_structure' : 'buyer';
    }

    function participantsPath(q, page, perPage) {
      return '/api/v1/events/' + S.reg.event_id + '/participants?category=' + otherSide() +
        (q ? '&q=' + encodeURIComponent(q) : '') + '&page=' + page + '&per_page=' + perPage;
    }

    // Everyone on the other side, to name the people of wishes (events have at most a few
    // thousand registrations: 25 pages of 200 at most).
    function loadPeople() {
      var people = {};
      function next(page) {
        return authed('GET', participantsPath('', page, 200)).then(function (r) {
          if (!r.ok) return null;
          r.data.items.forEach(function (p) { people[p.registration_id] = p; });
          return page * 200 < r.data.total && page < 25 ? next(page + 1) : null;
        });
      }
      return next(1).then(function () { S.people = people; });
    }

    // One page (20) of the other side matching `q`, appended to the list shown after page 1.
    function searchPeople(q, page) {
      return authed('GET', participantsPath(q, page, 20)).then(function (r) {
        if (!r.ok) {
          S.pick.error = failure(r);
          return;
        }
        S.people = S.people || {};
        r.data.items.forEach(function (p) { S.people[p.registration_id] = p; });
        S.pick = {
          q: q, page: page, total: r.data.total, error: null,
          items: page === 1 ? r.data.items : S.pick.items.concat(r.data.items)
        };
      });
    }

    // Who a registration of the other side is, as far as they let it be known.
    function who(registrationId) {
      var p = S.people && S.people[registrationId];
      if (!p) return t('a_participant');
      if (p.organisation && p.name) return p.organisation + ' (' + p.name + ')';
      return p.organisation || p.name || t('a_participant');
    }

    // What the person said of their times on the day, with the slots to choose from.
    function loadPresence() {
      return authed('GET', '/api/v1/registrations/' + S.id + '/presence').then(function (r) {
        S.presence = r.ok ? r.data : null;
      });
    }

    function loadWishes() {
      return authed('GET', '/api/v1/registrations/' + S.id + '/wishes').then(function (r) {
        S.wishes = r.ok ? r.data : null;
      });
    }

    function takesPartInMeetings() {
      var reg = S.reg;
      return reg && (reg.category === 'buyer' || reg.category === 'ess_structure') &&
        (reg.status === 'confirmed' || reg.status === 'waitlisted' || reg.status === 'attended');
    }

    function renderLoadFailure(r) {
      rerender = function () { renderLoadFailure(r); };
      mount([h('h1', { id: 'main-title', text: t('my_registration') }), notice('error', [
        h('p', { text: failure(r) }),
        // The token is in memory only (no longer in the address): load again, not reload.
        h('button', { type: 'button', onclick: function () { load(); }, text: t('retry') })
      ])], 'main-title');
    }

    /* A bad, revoked or missing token: say so, and offer a new link by e-mail. */
    function renderNoAccess(why, focus) {
      rerender = function () { renderNoAccess(why, false); };
      document.title = t('page_title_registration');
      var title = why === 'no_token' ? t('no_token_title') : t('bad_link_title');
      var text = why === 'no_token' ? t('no_token_text') : t('bad_link_text');
      var out = h('div', { id: 'new-link-result' });
      var form = newLinkForm(out);
      mount([
        h('h1', { id: 'main-title', text: title }),
        notice(why === 'no_token' ? 'info' : 'error', [h('p', { text: text })], { id: 'access-message', role: why === 'no_token' ? 'status' : 'alert' }),
        h('section', { class: 'card', 'aria-labelledby': 'new-link-title' }, [
          h('h2', { id: 'new-link-title', text: t('new_link_send') }),
          h('p', { text: t('new_link_intro') }),
          form,
          out
        ]),
        S.eventId ? h('p', {}, [h('a', { href: '/e/' + S.eventId, text: t('event_info') })]) : null
      ], focus === false ? null : 'main-title');
    }

    function newLinkForm(out) {
      var eventSelect = null;
      var eventField = null;
      if (!S.eventId) {
        eventSelect = h('select', { name: 'event', required: true }, [h('option', { value: '', text: t('choose_event') })]);
        eventField = field(t('which_event') + ' ' + t('required'), eventSelect);
        var now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        api('GET', '/api/v1/events?per_page=100&from=' + encodeURIComponent(now)).then(function (r) {
          var items = r.ok && r.data && Array.isArray(r.data.items) ? r.data.items : [];
          items.forEach(function (ev) {
            eventSelect.appendChild(h('option', { value: ev.id, text: ev.title + ' — ' + dateLong(ev.starts_at, ev.timezone) }));
          });
          if (!items.length) eventSelect.insertAdjacentElement('afterend', h('p', { class: 'hint', text: t('no_event') }));
        });
      }
      var c = personControls(false);
      var button = h('button', { type: 'submit', text: t('new_link_send') });
      var form = h('form', { novalidate: true }, [eventField].concat(c.fields).concat([h('div', { class: 'actions' }, [button])]));
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var eventId = S.eventId || (eventSelect && eventSelect.value);
        if (!eventId) {
          eventSelect.setAttribute('aria-invalid', 'true');
          eventSelect.focus();
          return;
        }
        busy(button, true);
        api('POST', '/api/v1/events/' + eventId + '/registrations', { body: c.body() }).then(function (r) {
          busy(button, false);
          out.textContent = '';
          if (alreadyRegistered(r)) {
            out.appendChild(notice('ok', [h('p', { text: t('new_link_sent', c.controls['person.email'].value.trim()) })], { role: 'status', id: 'new-link-sent' }));
            out.firstChild.setAttribute('tabindex', '-1');
            out.firstChild.focus();
          } else if (r.status === 201) {
            out.appendChild(registeredNotice(r.data, c, eventId));
            out.firstChild.setAttribute('tabindex', '-1');
            out.firstChild.focus();
          } else {
            showFailure(out, r, c.controls);
          }
        });
      });
      return form;
    }

    function render(focus) {
      rerender = function () { render(); };
      var reg = S.reg;
      var ev = S.agenda ? S.agenda.event : null;
      // A message is shown by the render that follows its action, not by later ones.
      var shown = S.flash;
      S.flash = null;
      document.title = (ev ? ev.title + ' · ' : '') + t('page_title_registration');
      mount([
        h('p', { class: 'lede', text: t('my_registration') }),
        h('h1', { id: 'main-title', text: ev ? ev.title : t('my_registration') }),
        ev ? h('p', { class: 'lede' }, [whenText(ev), ' · ', h('a', { href: '/e/' + reg.event_id, text: t('event_info') })]) : null,
        shown ? notice(shown.kind, [h('p', { text: shown.text })], { id: 'flash', role: shown.kind === 'error' ? 'alert' : 'status' }) : null,
        registrationCard(),
        agendaCard(),
        takesPartInMeetings() ? wishesCard() : null,
        outcomesCard()
      ], focus);
    }

    function flash(kind, text, focus) {
      S.flash = { kind: kind, text: text };
      render(focus || 'flash');
      announce(text);
    }

    function registrationCard() {
      var reg = S.reg;
      var status = h('p', { class: 'badge badge-' + reg.status, id: 'registration-status', text: t('status_' + reg.status) });
      var children = [h('h2', { id: 'reg-title', text: t('my_registration') }), status];
      if (reg.status === 'waitlisted') {
        var why = lastReason('waitlisted');
        children.push(notice('wait', [
          h('p', { id: 'waitlist-position', text: t('waitlist_position', reg.waitlist_position, t('cat_' + reg.category)) }),
          why ? h('p', { text: t('waitlist_why', reasonText(why)) }) : null,
          h('p', { text: t('waitlist_next') })
        ], { role: null }));
      } else if (reg.status === 'cancelled') {
        children.push(h('p', { text: t('cancelled_note') }));
      }
      var orgText = t('none');
      if (S.org) orgText = reg.organisation_confirmed ? S.org.name : t('organisation_unconfirmed', S.org.name);
      children.push(h('dl', { class: 'facts' }, [
        h('dt', { text: t('name') }), h('dd', { id: 'person-name', text: reg.person.first_name + ' ' + reg.person.last_name }),
        h('dt', { text: t('email') }), h('dd', { text: reg.person.email }),
        h('dt', { text: t('category') }), h('dd', { text: t('cat1_' + reg.category) }),
        h('dt', { text: t('organisation') }), h('dd', { text: orgText })
      ]));
      var live = reg.status === 'confirmed' || reg.status === 'waitlisted';
      if (live) children.push(accessibilityForm());
      else if (reg.accessibility_needs) {
        children.push(h('p', {}, [h('strong', { text: t('accessibility') + ' : ' }), reg.accessibility_needs]));
      }
      children.push(historyBlock());
      if (live) children.push(cancelBlock());
      return h('section', { class: 'card', 'aria-labelledby': 'reg-title' }, children);
    }

    function lastReason(toStatus) {
      var history = S.reg.history || [];
      for (var i = history.length - 1; i >= 0; i -= 1) {
        if (history[i].to_status === toStatus) return history[i].reason;
      }
      return null;
    }

    function accessibilityForm() {
      var area = h('textarea', { id: 'accessibility', name: 'accessibility_needs', maxlength: '2000', rows: '3' });
      area.value = S.reg.accessibility_needs || '';
      var button = h('button', { type: 'submit', class: 'secondary', id: 'save-accessibility', text: t('save') });
      var out = h('div');
      var form = h('form', { novalidate: true }, [field(t('accessibility'), area, t('accessibility_hint')), h('div', { class: 'actions' }, [button]), out]);
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        busy(button, true);
        var value = area.value.trim();
        authed('PATCH', '/api/v1/registrations/' + S.id, { ifMatch: S.etag, body: { accessibility_needs: value === '' ? null : value } })
          .then(function (r) {
            busy(button, false);
            if (r.ok) {
              S.reg = r.data;
              S.etag = r.headers.get('ETag');
              flash('ok', t('saved'));
            } else if (r.status === 412) {
              reload().then(function () { flash('wait', t('stale')); });
            } else {
              showFailure(out, r, { accessibility_needs: area });
            }
          });
      });
      return form;
    }

    function reload() {
      return authed('GET', '/api/v1/registrations/' + S.id).then(function (r) {
        if (r.ok) {
          S.reg = r.data;
          S.etag = r.headers.get('ETag');
        }
        return loadRestQuiet();
      });
    }

    function loadRestQuiet() {
      var tasks = [authed('GET', '/api/v1/registrations/' + S.id + '/agenda').then(function (r) { if (r.ok) S.agenda = r.data; })];
      if (takesPartInMeetings()) tasks.push(loadWishes());
      return Promise.all(tasks);
    }

    function historyBlock() {
      var history = S.reg.history || [];
      var tz = S.agenda ? S.agenda.event.timezone : 'Europe/Paris';
      return h('details', { id: 'history' }, [
        h('summary', { text: t('history') }),
        h('ol', { class: 'plain' }, history.map(function (c) {
          return h('li', {}, [
            h('span', { class: 'meta', text: dateTime(c.at, tz) + ' — ' }),
            h('strong', { text: t('status_' + c.to_status) }),
            ' : ' + reasonText(c.reason)
          ]);
        }))
      ]);
    }

    function cancelBlock() {
      if (!S.confirming) {
        return h('div', { class: 'actions' }, [h('button', {
          type: 'button', class: 'danger', id: 'cancel-registration', text: t('cancel'),
          onclick: function () { S.confirming = true; render('cancel-confirm'); }
        })]);
      }
      var yes = h('button', { type: 'button', class: 'danger', id: 'cancel-yes', text: t('cancel_yes') });
      var no = h('button', { type: 'button', class: 'secondary', id: 'cancel-no', text: t('cancel_no') });
      var out = h('div');
      no.addEventListener('click', function () { S.confirming = false; render('cancel-registration'); });
      yes.addEventListener('click', function () {
        busy(yes, true);
        authed('POST', '/api/v1/registrations/' + S.id + '/cancel', { body: {} }).then(function (r) {
          busy(yes, false);
          if (r.ok) {
            S.confirming = false;
            S.reg = r.data;
            S.etag = r.headers.get('ETag') || S.etag;
            loadRestQuiet().then(function () { flash('ok', t('cancelled_done')); });
          } else {
            showFailure(out, r);
          }
        });
      });
      return h('div', { class: 'confirm', id: 'cancel-confirm', role: 'group', 'aria-labelledby': 'cancel-confirm-title' }, [
        h('h3', { id: 'cancel-confirm-title', text: t('cancel_confirm_title') }),
        h('p', { text: t('cancel_confirm_text') }),
        h('div', { class: 'actions' }, [yes, no]),
        out
      ]);
    }

    function agendaCard() {
      var a = S.agenda;
      if (!a) return null;
      var ev = a.event;
      var children = [h('h2', { id: 'agenda-title', text: t('agenda') })];
      var facts = [h('dt', { text: t('when') }), h('dd', { text: whenText(ev) })];
      if (ev.venue) {
        facts.push(h('dt', { text: t('venue') }), h('dd', {}, [
          venueText(ev.venue), h('br'),
          h('a', { href: mapUrl(ev.venue), rel: 'noopener noreferrer', target: '_blank', text: t('map') })
        ]));
      }
      if (ev.online_url) {
        facts.push(h('dt', { text: t('online') }), h('dd', {}, [h('a', { href: ev.online_url, rel: 'noopener noreferrer', text: ev.online_url })]));
      }
      children.push(h('dl', { class: 'facts' }, facts));
      if (!a.meetings.length) {
        children.push(h('p', { id: 'no-meetings', text: t('agenda_none') }));
      } else {
        children.push(h('table', { class: 'agenda', id: 'meetings' }, [
          h('caption', { text: t('agenda_caption') }),
          h('thead', {}, [h('tr', {}, [t('col_time'), t('col_table'), t('col_partner'), t('col_organisation')].map(function (c) {
            return h('th', { scope: 'col', text: c });
          }))]),
          h('tbody', {}, a.meetings.map(function (m) {
            var cancelled = m.status === 'cancelled';
            return h('tr', { class: cancelled ? 'cancelled' : null }, [
              h('td', { 'data-label': t('col_time'), class: 'time', text: time(m.starts_at, ev.timezone) + '–' + time(m.ends_at, ev.timezone) + (cancelled ? ' ' + t('meeting_cancelled') : '') }),
              h('td', { 'data-label': t('col_table'), text: m.table_label + ' (' + (m.side === 'buyer' ? t('you_sit') : t('you_walk')) + ')' }),
              h('td', { 'data-label': t('col_partner'), text: (m.partner.name || m.partner.label) + (m.partner.email ? ' · ' + m.partner.email : '') }),
              h('td', { 'data-label': t('col_organisation'), text: m.partner.organisation || '—' })
            ]);
          }))
        ]));
      }
      var download = h('button', { type: 'button', class: 'secondary', id: 'download-ics', text: t('download_ics') });
      download.addEventListener('click', function () {
        busy(download, true);
        authed('GET', '/api/v1/registrations/' + S.id + '/agenda.ics', { accept: 'text/calendar', blob: true }).then(function (r) {
          busy(download, false);
          if (!r.ok) {
            flash('error', failure(r));
            return;
          }
          var url = URL.createObjectURL(r.data);
          var link = h('a', { href: url, download: 'agenda.ics', hidden: true });
          document.body.appendChild(link);
          link.click();
          window.setTimeout(function () { URL.revokeObjectURL(url); link.remove(); }, 1000);
          announce(t('downloaded'));
        });
      });
      var subscribe = h('button', { type: 'button', class: 'secondary', id: 'subscribe', text: t('subscribe') });
      subscribe.addEventListener('click', function () {
        busy(subscribe, true);
        authed('POST', '/api/v1/registrations/' + S.id + '/calendar-feed', { body: {} }).then(function (r) {
          busy(subscribe, false);
          if (!r.ok) {
            flash('error', failure(r));
            return;
          }
          S.feed = r.data;
          render('feed');
        });
      });
      children.push(h('div', { class: 'actions' }, [download, subscribe]));
      if (S.feed) {
        var copy = h('input', { type: 'text', readonly: true, value: S.feed.url });
        copy.addEventListener('focus', function () { copy.select(); });
        children.push(notice('ok', [
          h('p', { text: t('subscribe_done') }),
          h('p', {}, [h('a', { href: S.feed.webcal_url, id: 'webcal-link', text: t('subscribe_open') })]),
          h('div', { class: 'feed' }, [field(t('subscribe_url'), copy)])
        ], { id: 'feed', role: 'status' }));
      }
      return h('section', { class: 'card', 'aria-labelledby': 'agenda-title' }, children);
    }

    function wishesCard() {
      var w = S.wishes || { made: [], received: [] };
      var needsById = {};
      var buyerOfNeed = {};
      if (S.buyers) {
        S.buyers.buyers.forEach(function (b) {
          b.needs.forEach(function (n) { needsById[n.id] = n; buyerOfNeed[n.id] = b.name; });
        });
      }
      var children = [h('h2', { id: 'wishes-title', text: t('wishes') }), participationForm(), presenceForm()];

      children.push(h('h3', { text: t('wishes_made') }));
      if (!w.made.length) children.push(h('p', { class: 'meta', text: t('wishes_none_made') }));
      else {
        children.push(h('ul', { class: 'plain', id: 'wishes-made' }, w.made.map(function (wish) {
          var label = wish.source === 'interest'
            ? t('wish_interest_made', needsById[wish.need_id] ? needsById[wish.need_id].title : '…', buyerOfNeed[wish.need_id] || '…')
            : t('wish_direct_made_to', who(wish.to_registration_id), wish.priority);
          var withdraw = h('button', { type: 'button', class: 'link', text: t('withdraw'), 'aria-label': t('withdraw') + ' : ' + label });
          withdraw.addEventListener('click', function () {
            busy(withdraw, true);
            var path = wish.source === 'interest'
              ? '/api/v1/needs/' + wish.need_id + '/interests/' + wish.id
              : '/api/v1/wishes/' + wish.id;
            authed('DELETE', path).then(function (r) {
              busy(withdraw, false);
              if (r.ok) loadWishes().then(function () { flash('ok', t('withdrawn')); });
              else flash('error', failure(r));
            });
          });
          return h('li', {}, [label, wish.declined ? h('span', { class: 'meta', text: ' — ' + t('wish_declined') }) : null, ' ', withdraw]);
        })));
      }

      children.push(h('h3', { text: t('wishes_received') }));
      if (!w.received.length) children.push(h('p', { class: 'meta', text: t('wishes_none_received') }));
      else {
        var madeTo = {};
        w.made.forEach(function (m) { madeTo[m.to_registration_id] = true; });
        children.push(h('ul', { class: 'plain', id: 'wishes-received' }, w.received.map(function (wish) {
          return receivedWish(wish, madeTo);
        })));
      }
      if (S.reg.category === 'buyer') children.push(h('p', { class: 'meta', text: t('buyer_side_note') }));
      children.push(pickBlock(w));
      if (S.reg.category === 'ess_structure') children.push(buyersBlock(w));
      return h('section', { class: 'card', 'aria-labelledby': 'wishes-title' }, children);
    }

    function receivedWish(wish, madeTo) {
      var from = who(wish.from_registration_id);
      var label = wish.source === 'interest'
        ? t('wish_interest_received_from', from, needTitle(wish.need_id))
        : t('wish_direct_received_from', from, wish.priority);
      label = label.charAt(0).toUpperCase() + label.slice(1);
      var parts = [label];
      if (wish.declined) {
        parts.push(h('span', { class: 'meta', text: ' — ' + t('wish_declined') }));
        return h('li', {}, parts);
      }
      var decline = h('button', { type: 'button', class: 'secondary', text: t('decline'), 'aria-label': t('decline') + ' : ' + label });
      decline.addEventListener('click', function () {
        busy(decline, true);
        authed('POST', '/api/v1/wishes/' + wish.id + '/decline', { body: {} }).then(function (r) {
          busy(decline, false);
          if (r.ok) loadWishes().then(function () { flash('ok', t('declined_done')); });
          else flash('error', failure(r));
        });
      });
      var actions = [decline];
      // Wishing back needs the sender to take part still (listed among the participants).
      if (!madeTo[wish.from_registration_id] && S.people && S.people[wish.from_registration_id]) {
        var priority = h('select', { name: 'priority' }, [3, 2, 1].map(function (p) {
          return h('option', { value: String(p), text: t('priority_' + p), selected: p === 2 });
        }));
        var back = h('button', { type: 'submit', text: t('wish_back') });
        var form = h('form', { class: 'wish-back' }, [field(t('priority'), priority), h('div', { class: 'actions' }, [back, decline])]);
        form.addEventListener('submit', function (e) {
          e.preventDefault();
          busy(back, true);
          authed('POST', '/api/v1/events/' + S.reg.event_id + '/wishes', { body: {
            from_registration_id: S.id, to_registration_id: wish.from_registration_id, priority: Number(priority.value)
          } }).then(function (r) {
            busy(back, false);
            if (r.ok) loadWishes().then(function () { flash('ok', t('wished_done')); });
            else flash('error', failure(r));
          });
        });
        actions = [form];
      } else {
        actions = [h('div', { class: 'actions' }, [decline])];
      }
      return h('li', {}, parts.concat(actions));
    }

    // Take part or not, how many meetings at most, and open to meet anyone on the day (PATCH
    // with If-Match). The slots one cannot attend are left as they are: the page says when one
    // arrives and leaves instead (presenceForm).
    function participationForm() {
      var m = S.reg.meetings || { opt_in: true, max_meetings: null, open_to_any: false };
      var optIn = h('input', { type: 'checkbox', id: 'meetings-opt-in', name: 'opt_in', checked: m.opt_in });
      var openToAny = h('input', { type: 'checkbox', id: 'meetings-open-to-any', name: 'open_to_any', checked: m.open_to_any, 'aria-describedby': 'open-to-any-hint' });
      var max = h('input', {
        type: 'number', id: 'meetings-max', name: 'max_meetings', min: '1', max: '200', step: '1',
        inputmode: 'numeric', value: m.max_meetings === null || m.max_meetings === undefined ? '' : String(m.max_meetings)
      });
      var save = h('button', { type: 'submit', class: 'secondary', id: 'save-participation', text: t('save') });
      var out = h('div');
      var form = h('form', { novalidate: true, id: 'participation', 'aria-labelledby': 'participation-title' }, [
        h('h3', { id: 'participation-title', text: t('participation') }),
        h('div', { class: 'field' }, [h('label', { class: 'check', for: optIn.id }, [optIn, t('participation_opt_in')])]),
        field(t('participation_max'), max, t('participation_max_hint')),
        h('div', { class: 'field' }, [
          h('label', { class: 'check', for: openToAny.id }, [openToAny, t('participation_open_to_any')]),
          h('span', { class: 'hint', id: 'open-to-any-hint', text: t('participation_open_to_any_hint') })
        ]),
        m.opt_in ? null : h('p', { class: 'meta', id: 'participation-off', text: t('participation_off') }),
        h('div', { class: 'actions' }, [save]),
        out
      ]);
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var raw = max.value.trim();
        busy(save, true);
        authed('PATCH', '/api/v1/registrations/' + S.id, { ifMatch: S.etag, body: { meetings: {
          opt_in: optIn.checked, max_meetings: raw === '' ? null : Number(raw), open_to_any: openToAny.checked
        } } }).then(function (r) {
          busy(save, false);
          if (r.ok) {
            S.reg = r.data;
            S.etag = r.headers.get('ETag');
            flash('ok', t('participation_saved'));
          } else if (r.status === 412) {
            reload().then(function () { flash('wait', t('stale')); });
          } else {
            showFailure(out, r, { 'meetings.max_meetings': max, 'meetings.opt_in': optIn, 'meetings.open_to_any': openToAny });
          }
        });
      });
      return form;
    }

    // "I will arrive at 11:00", "I leave at 11:15": the slots of the event's meeting blocks,
    // by their start and their end; the re-plan of the day reads them.
    function presenceForm() {
      var p = S.presence;
      var m = S.reg.meetings || { opt_in: true };
      if (!p || !p.slots.length || !m.opt_in) return null;
      var tz = S.agenda ? S.agenda.event.timezone : 'Europe/Paris';
      var arrive = h('select', { id: 'presence-from', name: 'from_slot_id' }, [h('option', { value: '', text: t('presence_from_start') })]
        .concat(p.slots.map(function (slot) {
          return h('option', { value: slot.id, text: time(slot.starts_at, tz), selected: slot.id === p.from_slot_id });
        })));
      var leave = h('select', { id: 'presence-until', name: 'until_slot_id' }, [h('option', { value: '', text: t('presence_until_end') })]
        .concat(p.slots.map(function (slot) {
          return h('option', { value: slot.id, text: time(slot.ends_at, tz), selected: slot.id === p.until_slot_id });
        })));
      var save = h('button', { type: 'submit', class: 'secondary', id: 'save-presence', text: t('save') });
      var out = h('div');
      var form = h('form', { novalidate: true, id: 'presence', 'aria-labelledby': 'presence-title' }, [
        h('h3', { id: 'presence-title', text: t('presence') }),
        h('p', { class: 'meta', text: t('presence_intro') }),
        field(t('presence_from'), arrive),
        field(t('presence_until'), leave),
        h('div', { class: 'actions' }, [save]),
        out
      ]);
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        busy(save, true);
        authed('POST', '/api/v1/registrations/' + S.id + '/presence', { body: {
          from_slot_id: arrive.value || null, until_slot_id: leave.value || null
        } }).then(function (r) {
          busy(save, false);
          if (r.ok) {
            S.presence = Object.assign({}, S.presence, r.data);
            flash('ok', t('presence_saved'));
          } else {
            showFailure(out, r, { from_slot_id: arrive, until_slot_id: leave });
          }
        });
      });
      return form;
    }

    // The other side's participants, searched on the server, each with a wish to make.
    function pickBlock(w) {
      var children = [
        h('h3', { id: 'pick-title', text: t('pick_' + S.reg.category) }),
        h('p', { class: 'meta', text: t('pick_intro') })
      ];
      if (!isLive()) {
        children.push(h('p', { class: 'meta', text: t('pick_waiting') }));
        return h('div', { id: 'pick' }, children);
      }
      var madeTo = {};
      w.made.forEach(function (m) { madeTo[m.to_registration_id] = true; });
      var q = h('input', { type: 'search', id: 'pick-q', name: 'q', value: S.pick.q, autocomplete: 'off' });
      var go = h('button', { type: 'submit', class: 'secondary', id: 'pick-go', text: t('pick_search_button') });
      var search = h('form', { role: 'search', id: 'pick-search', 'aria-labelledby': 'pick-title' }, [
        field(t('pick_search'), q), h('div', { class: 'actions' }, [go])
      ]);
      search.addEventListener('submit', function (e) {
        e.preventDefault();
        busy(go, true);
        searchPeople(q.value.trim(), 1).then(function () {
          render('pick-q');
          announce(pickCount());
        });
      });
      children.push(search);
      if (S.pick.error) children.push(notice('error', [h('p', { text: S.pick.error })]));
      children.push(h('p', { class: 'meta', id: 'pick-count', text: pickCount() }));
      children.push(h('ul', { class: 'plain people', id: 'participants' }, S.pick.items.map(function (p) {
        return pickItem(p, madeTo);
      })));
      if (S.pick.items.length < S.pick.total) {
        var more = h('button', { type: 'button', class: 'secondary', id: 'pick-more', text: t('pick_more') });
        more.addEventListener('click', function () {
          var first = S.pick.items.length;
          busy(more, true);
          searchPeople(S.pick.q, S.pick.page + 1).then(function () {
            var next = S.pick.items[first];
            render(next ? 'participant-' + next.registration_id : 'pick-count');
            announce(pickCount());
          });
        });
        children.push(h('div', { class: 'actions' }, [more]));
      }
      return h('div', { id: 'pick' }, children);
    }

    function pickCount() {
      return S.pick.total ? t('pick_count', S.pick.items.length, S.pick.total) : t('pick_none');
    }

    function pickItem(p, madeTo) {
      var label = p.organisation || p.name || t('a_participant');
      var children = [
        h('strong', { id: 'participant-' + p.registration_id, text: label }),
        p.organisation && p.name ? h('span', { class: 'meta', text: ' — ' + p.name }) : null
      ];
      if (p.needs.length) {
        children.push(h('p', { class: 'meta', text: t('pick_needs', p.needs.map(function (n) { return n.title; }).join(' · ')) }));
      }
      if (madeTo[p.registration_id]) {
        children.push(h('p', { class: 'done', text: t('pick_wished') }));
        return h('li', { 'data-participant': p.registration_id }, children);
      }
      var priority = h('select', { name: 'priority' }, [3, 2, 1].map(function (n) {
        return h('option', { value: String(n), text: t('priority_' + n), selected: n === 2 });
      }));
      var send = h('button', { type: 'submit', text: t('pick_wish'), 'aria-label': t('pick_wish') + ' : ' + label });
      var priorityLabel = h('span', {}, [t('priority'), h('span', { class: 'visually-hidden', text: ' : ' + label })]);
      var form = h('form', { class: 'wish-to' }, [field(priorityLabel, priority), h('div', { class: 'actions' }, [send])]);
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        busy(send, true);
        authed('POST', '/api/v1/events/' + S.reg.event_id + '/wishes', { body: {
          from_registration_id: S.id, to_registration_id: p.registration_id, priority: Number(priority.value)
        } }).then(function (r) {
          busy(send, false);
          if (r.ok) loadWishes().then(function () { flash('ok', t('wished_done')); });
          else flash('error', failure(r));
        });
      });
      children.push(form);
      return h('li', { 'data-participant': p.registration_id }, children);
    }

    function needTitle(needId) {
      if (S.buyers) {
        var found = S.buyers.needs.filter(function (n) { return n.id === needId; })[0];
        if (found) return found.title;
      }
      return '…';
    }

    function buyersBlock(w) {
      var interested = {};
      w.made.forEach(function (m) { if (m.need_id) interested[m.need_id] = true; });
      var buyers = S.buyers ? S.buyers.buyers.filter(function (b) { return b.needs.length; }) : [];
      var children = [h('h3', { id: 'buyers-title', text: t('buyers') }), h('p', { text: t('buyers_intro') })];
      if (!buyers.length) children.push(h('p', { class: 'meta', text: t('buyers_none') }));
      // The API records an interest only for a registration whose ESS structure is named and
      // confirmed: otherwise say what to do instead of offering a button it would refuse.
      var reg = S.reg;
      var cannot = !reg.organisation_id
        ? t('interest_no_organisation')
        : !reg.organisation_confirmed ? t('interest_unconfirmed', S.org ? S.org.name : '…') : null;
      if (cannot && buyers.length) children.push(notice('info', [h('p', { id: 'interest-how', text: cannot })]));
      buyers.forEach(function (b) {
        children.push(buyerBlock(b, function (n) {
          if (interested[n.id]) return [h('p', { class: 'done', text: t('interest_already') })];
          if (cannot) return [];
          if (S.openInterest !== n.id) {
            return [h('button', {
              type: 'button', class: 'secondary', 'data-need': n.id, text: t('interest'),
              'aria-label': t('interest') + ' : ' + n.title,
              onclick: function () { S.openInterest = n.id; render('interest-message'); }
            })];
          }
          var message = h('textarea', { id: 'interest-message', maxlength: '5000', rows: '3' });
          var send = h('button', { type: 'submit', text: t('interest_send') });
          var out = h('div');
          var form = h('form', { novalidate: true }, [field(t('interest_message'), message, t('interest_message_hint')), h('div', { class: 'actions' }, [send]), out]);
          form.addEventListener('submit', function (e) {
            e.preventDefault();
            busy(send, true);
            authed('POST', '/api/v1/needs/' + n.id + '/interests', { body: { registration_id: S.id, message: message.value.trim() } }).then(function (r) {
              busy(send, false);
              if (r.ok) {
                S.openInterest = null;
                loadWishes().then(function () { flash('ok', t('interest_sent')); });
              } else {
                showFailure(out, r, { message: message });
              }
            });
          });
          return [form];
        }));
      });
      return h('div', { id: 'buyers' }, children);
    }

    // Placeholder: the outcomes of held meetings (quote requested, contract signed…) have no
    // API yet; the section appears once OUTCOMES_API is turned on with the after-publication
    // issue.
    function outcomesCard() {
      return h('section', { class: 'card', id: 'outcomes', hidden: !OUTCOMES_API, 'aria-labelledby': 'outcomes-title', 'data-pending': 'outcomes API' }, [
        h('h2', { id: 'outcomes-title', text: t('outcomes') })
      ]);
    }

    setupLangToggle();
    applyLang();
    forgetSecretsInAddress();
    verifyEmail().then(load);
  }

  /* ---------- the registration form's person fields (both pages) ---------- */

  // `invited`: what an invitation link pre-fills (GET /invitations/{secret}) and its secret,
  // sent with the registration as `invitation`.
  function personControls(full, category, invited) {
    var controls = {
      category: h('select', { name: 'category', required: true }, ['ess_structure', 'buyer', 'partner', 'visitor'].map(function (c) {
        return h('option', { value: c, text: t('cat1_' + c), selected: c === (category || 'ess_structure') });
      })),
      'person.first_name': h('input', { type: 'text', name: 'first_name', autocomplete: 'given-name', required: true }),
      'person.last_name': h('input', { type: 'text', name: 'last_name', autocomplete: 'family-name', required: true }),
      'person.email': h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, inputmode: 'email' })
    };
    if (invited) {
      controls['person.first_name'].value = invited.first_name || '';
      controls['person.last_name'].value = invited.last_name || '';
      controls['person.email'].value = invited.email || '';
    }
    var fields = [
      field(t('category') + ' ' + t('required'), controls.category),
      field(t('first_name') + ' ' + t('required'), controls['person.first_name']),
      field(t('last_name') + ' ' + t('required'), controls['person.last_name']),
      field(t('email') + ' ' + t('required'), controls['person.email'])
    ];
    var org = null;
    if (full) {
      controls['person.phone'] = h('input', { type: 'tel', name: 'phone', autocomplete: 'tel' });
      fields.push(field(t('phone'), controls['person.phone']));
      org = h('select', { name: 'organisation_id' }, [h('option', { value: '', text: t('organisation_none') })]);
      controls.organisation_id = org;
      var orgField = field(t('organisation_pick'), org);
      fields.push(orgField);
      var kinds = { buyer: 'public_buyer', ess_structure: 'ess_structure', partner: 'partner' };
      var fill = function () {
        var kind = kinds[controls.category.value];
        while (org.options.length > 1) org.remove(1);
        orgField.hidden = !kind;
        if (!kind) return;
        api('GET', '/api/v1/organisations?kind=' + kind + '&per_page=200').then(function (r) {
          var items = r.ok && r.data && Array.isArray(r.data.items) ? r.data.items : [];
          items.sort(function (a, b) { return a.name.localeCompare(b.name, locale()); });
          items.forEach(function (o) { org.appendChild(h('option', { value: o.id, text: o.name })); });
          var named = invited && invited.organisation_id;
          if (named && controls.category.value === (invited.category || controls.category.value)) {
            var known = items.some(function (o) { return o.id === named; });
            if (!known) org.appendChild(h('option', { value: named, text: invited.organisation_name || named }));
            org.value = named;
          }
        });
      };
      controls.category.addEventListener('change', fill);
      fill();
      controls.accessibility_needs = h('textarea', { name: 'accessibility_needs', maxlength: '2000', rows: '2' });
      fields.push(field(t('accessibility') + ' ' + t('optional'), controls.accessibility_needs, t('accessibility_hint')));
      controls['consents.share_contact'] = h('input', { type: 'checkbox', name: 'share_contact', id: nextId('consent') });
      fields.push(h('div', { class: 'field' }, [h('label', { class: 'check', for: controls['consents.share_contact'].id }, [
        controls['consents.share_contact'], h('span', { text: t('share_contact') })
      ])]));
    }
    return {
      controls: controls,
      fields: fields,
      body: function () {
        var body = {
          category: controls.category.value,
          person: {
            first_name: controls['person.first_name'].value.trim(),
            last_name: controls['person.last_name'].value.trim(),
            email: controls['person.email'].value.trim()
          },
          locale: lang
        };
        if (full) {
          var phone = controls['person.phone'].value.trim();
          if (phone) body.person.phone = phone;
          if (org.value) body.organisation_id = org.value;
          var needs = controls.accessibility_needs.value.trim();
          if (needs) body.accessibility_needs = needs;
          body.consents = { share_contact: controls['consents.share_contact'].checked };
        }
        if (invited && invited.secret) body.invitation = invited.secret;
        return body;
      }
    };
  }

  // The 409 of an e-mail already registered (its link is mailed again), not of an event closed.
  function alreadyRegistered(r) {
    return r.status === 409 && /already registered/.test((r.data && r.data.detail) || '');
  }

  // What a 201 from POST /events/{id}/registrations means, for people.
  function registeredNotice(created, c, eventId) {
    var first = c.controls['person.first_name'].value.trim();
    var email = c.controls['person.email'].value.trim();
    var waiting = created.status === 'waitlisted';
    var link = '/r/' + created.id + '?e=' + eventId + '#token=' + encodeURIComponent(created.manage_token);
    return notice(waiting ? 'wait' : 'ok', [
      h('p', {}, [h('strong', { id: 'registered-status', text: waiting ? t('registered_waitlisted', first, created.waitlist_position) : t('registered_confirmed', first) })]),
      h('p', { text: t('check_mail', email) }),
      h('p', {}, [h('a', { href: link, id: 'open-my-page', text: t('open_my_page') })])
    ], { id: 'registered', role: 'status' });
  }

  /* ---------- the event's public page ---------- */

  function eventPage() {
    var match = /^\/e\/([0-9a-fA-F-]{36})\/?$/.exec(window.location.pathname);
    var id = match ? match[1] : null;
    var S = { event: null, programme: [], buyers: null, result: null, invited: null };
    // An invitation link (`?invitation=mi_…`): kept in memory, removed from the address bar
    // like `verify`, and read to pre-fill the form.
    var invitation = new URLSearchParams(window.location.search).get('invitation');
    if (invitation && window.history && window.history.replaceState) {
      var rest = new URLSearchParams(window.location.search);
      rest.delete('invitation');
      var kept = rest.toString();
      window.history.replaceState(null, '', window.location.pathname + (kept ? '?' + kept : '') + window.location.hash);
    }

    function loadInvitation() {
      if (!invitation) return Promise.resolve();
      return api('GET', '/api/v1/invitations/' + encodeURIComponent(invitation.trim())).then(function (r) {
        if (r.ok && r.data && r.data.event_id === id) {
          S.invited = r.data;
          S.invited.secret = invitation.trim();
          if (!storedLang() && r.data.locale === 'en') { lang = 'en'; applyLang(); }
        }
      });
    }

    function load() {
      if (!id) return renderMissing();
      return api('GET', '/api/v1/events/' + id).then(function (r) {
        if (!r.ok) {
          if (r.status === 404) renderMissing();
          else mount([notice('error', [h('p', { text: failure(r) })])]);
          return null;
        }
        S.event = r.data;
        return Promise.all([
          api('GET', '/api/v1/events/' + id + '/programme').then(function (p) {
            var d = p.data;
            S.programme = p.ok ? (Array.isArray(d) ? d : (d && d.items) || []) : [];
          }),
          loadBuyers(id).then(function (b) { S.buyers = b; }),
          loadInvitation()
        ]).then(function () { render(); });
      });
    }

    function renderMissing() {
      rerender = renderMissing;
      document.title = t('event_not_found') + ' · Matinale';
      mount([h('h1', { id: 'main-title', text: t('event_not_found') }), notice('error', [h('p', { text: t('event_not_found_text') })])]);
    }

    function render(focus) {
      rerender = function () { render(); };
      var ev = S.event;
      document.title = t('page_title_event', ev.title);
      var facts = [h('dt', { text: t('when') }), h('dd', { text: whenText(ev) })];
      if (ev.venue) {
        facts.push(h('dt', { text: t('venue') }), h('dd', {}, [
          venueText(ev.venue), h('br'),
          h('a', { href: mapUrl(ev.venue), rel: 'noopener noreferrer', target: '_blank', id: 'map-link', text: t('map') })
        ]));
      }
      if (ev.online_url) {
        facts.push(h('dt', { text: t('online') }), h('dd', {}, [h('a', { href: ev.online_url, rel: 'noopener noreferrer', text: ev.online_url })]));
      }
      mount([
        h('h1', { id: 'main-title', text: ev.title }),
        ev.status === 'cancelled' ? notice('error', [h('p', { text: t('event_cancelled') })]) : null,
        registrationOpen()
          ? h('p', { class: 'actions' }, [h('a', { href: '#register-title', class: 'button', id: 'register-link', text: t('register_link') })])
          : null,
        h('section', { class: 'card', 'aria-labelledby': 'about-title' }, [
          h('h2', { id: 'about-title', class: 'visually-hidden', text: t('event_info') }),
          h('dl', { class: 'facts' }, facts),
          ev.description ? h('p', { text: ev.description }) : null
        ]),
        programmeCard(),
        standsCard(),
        registerCard()
      ], focus);
    }

    function programmeCard() {
      var ev = S.event;
      var list = S.programme.length
        ? h('ol', { class: 'plain', id: 'programme' }, S.programme.map(function (p) {
          return h('li', {}, [
            h('span', { class: 'time', text: time(p.starts_at, ev.timezone) + '–' + time(p.ends_at, ev.timezone) }), ' ',
            h('strong', { text: p.title }),
            h('span', { class: 'meta', text: ' · ' + t('kind_' + p.kind) }),
            p.speakers && p.speakers.length ? h('div', { class: 'meta', text: t('speakers', p.speakers.join(', ')) }) : null
          ]);
        }))
        : h('p', { text: t('programme_none') });
      return h('section', { class: 'card', 'aria-labelledby': 'programme-title' }, [h('h2', { id: 'programme-title', text: t('programme') }), list]);
    }

    function standsCard() {
      var b = S.buyers;
      if (!b || (!b.buyers.length && !b.classic.length)) return null;
      var children = [];
      if (b.buyers.length) {
        children.push(h('h2', { id: 'stands-title', text: t('stands_inverted') }));
        b.buyers.forEach(function (buyer) { children.push(buyerBlock(buyer)); });
        children.push(h('p', { class: 'meta', text: t('interest_from_page') }));
      }
      if (b.classic.length) {
        children.push(h('h2', { id: b.buyers.length ? null : 'stands-title', text: t('stands_classic') }));
        children.push(h('ul', { class: 'plain' }, b.classic.map(function (s) {
          return h('li', {}, [h('strong', { text: s.organisation_name }), ' — ' + s.title + (s.location ? ' (' + s.location + ')' : '')]);
        })));
      }
      return h('section', { class: 'card', 'aria-labelledby': 'stands-title', id: 'stands' }, children);
    }

    function registrationOpen() {
      var ev = S.event;
      var now = Date.now();
      if (ev.status !== 'published') return false;
      if (ev.registration_opens_at && Date.parse(ev.registration_opens_at) > now) return false;
      if (ev.registration_closes_at && Date.parse(ev.registration_closes_at) < now) return false;
      return true;
    }

    function registerCard() {
      var ev = S.event;
      var children = [h('h2', { id: 'register-title', text: t('register_title') })];
      if (ev.registration_opens_at && ev.registration_closes_at) {
        children.push(h('p', { class: 'meta', text: t('registration_window', dateTime(ev.registration_opens_at, ev.timezone), dateTime(ev.registration_closes_at, ev.timezone)) }));
      }
      if (!registrationOpen()) {
        children.push(h('p', { text: t('registration_closed') }));
        return h('section', { class: 'card', 'aria-labelledby': 'register-title' }, children);
      }
      var out = h('div', { id: 'register-result' });
      var c = personControls(true, S.invited && S.invited.category, S.invited);
      var button = h('button', { type: 'submit', id: 'register', text: t('register') });
      var form = h('form', { novalidate: true, id: 'register-form' }, c.fields.concat([h('div', { class: 'actions' }, [button])]));
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        busy(button, true);
        api('POST', '/api/v1/events/' + ev.id + '/registrations', { body: c.body() }).then(function (r) {
          busy(button, false);
          out.textContent = '';
          var shown;
          if (r.status === 201) {
            shown = registeredNotice(r.data, c, ev.id);
            form.hidden = true;
          } else if (alreadyRegistered(r)) {
            shown = notice('ok', [h('p', { text: t('already_registered') })], { role: 'status' });
          } else {
            showFailure(out, r, c.controls);
            return;
          }
          out.appendChild(shown);
          shown.setAttribute('tabindex', '-1');
          shown.focus();
        });
      });
      children.push(form, out);
      return h('section', { class: 'card', 'aria-labelledby': 'register-title' }, children);
    }

    setupLangToggle();
    applyLang();
    load();
  }

  function start() {
    var page = document.body.getAttribute('data-page');
    if (page === 'registration') registrationPage();
    else if (page === 'event') eventPage();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
